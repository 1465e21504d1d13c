# RPCReplay build entry points. Two commands matter on a fresh machine:
#   make run    install missing Debian packages, build release, replay the bundled corpus
#   make test   same set-up, then every test (unit, differential, CLI, fuzz smoke)

SWIFT        ?= swift
CONFIG       ?= release
BIN          := .build/$(CONFIG)/rpcreplay
FUZZ_SCRATCH := .build-fuzz
FUZZ_SECONDS ?= 30
# Debian packages the build and the tests need (libraries, reference tools).
DEB_PACKAGES := libpcap-dev libzstd-dev zstd tshark tcpdump
SHELL        := /bin/bash

.PHONY: all deps build run test unit-test fuzz fuzz-smoke golden bench bench-pipeline benchmarks clean

all: build

# Install whatever is missing; without root, print the exact command and stop.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product rpcreplay

run: build
	@./scripts/run-summary.sh $(BIN)

# The XCTest log is kept so `make test` can close with one summary line.
TEST_LOG := .build/test-output.log

unit-test: deps
	$(SWIFT) build -c $(CONFIG) --product rpcreplay
	@mkdir -p .build
	set -o pipefail; RPCREPLAY_BIN=$(abspath $(BIN)) $(SWIFT) test --disable-swift-testing 2>&1 | tee $(TEST_LOG)

test: unit-test fuzz-smoke
	@./scripts/test-summary.sh $(TEST_LOG)

# libFuzzer targets: a separate scratch path so the sanitizer build never
# invalidates the normal one.
# Every directory Sources/FuzzTargets/FuzzXxx is a product (declared in Package.swift
# behind RPCREPLAY_FUZZ=1); fuzz-smoke runs each on Tests/FuzzSeeds/xxx/.
FUZZ_PRODUCTS := $(notdir $(wildcard Sources/FuzzTargets/Fuzz*))
fuzz: deps
	@for product in $(FUZZ_PRODUCTS); do \
	  echo "building $$product"; \
	  RPCREPLAY_FUZZ=1 $(SWIFT) build -c release --scratch-path $(FUZZ_SCRATCH) \
	    --product $$product -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld || exit 1; \
	done

fuzz-smoke: fuzz
	@./scripts/fuzz-smoke.sh $(FUZZ_SCRATCH)/release $(FUZZ_SECONDS)

golden: build
	@./scripts/golden-scoreboard.sh $(BIN)

bench: build
	@./scripts/bench.sh $(BIN)

# Replay pipeline stage by stage on generated 1 GB (2% RPC) and 256 MB (30% RPC)
# corpora; rewrites docs/bench-rpc2.svg.
bench-pipeline: build
	@./scripts/bench-stages.sh $(BIN)

# ordo-one/benchmark suites (nested package, own scratch path Benchmarks/.build;
# slow to build the first time). Inputs: 128 MiB generated once into TMPDIR.
benchmarks: build
	RPCREPLAY_BIN=$(abspath $(BIN)) $(SWIFT) package --package-path Benchmarks \
	  --scratch-path Benchmarks/.build benchmark --no-progress

clean:
	rm -rf .build $(FUZZ_SCRATCH) rpcreplay-out
