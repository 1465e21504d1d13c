// swift-tools-version: 6.1
//
// RPCReplay: replays pcap/pcapng (optionally zstd-compressed) corpora through a
// re-implementation of the Bro 1.5.3 Sun RPC portmapper analyzer and its policies.
//
// Targets are one per pipeline stage; dependencies point one way
// (capture I/O -> decoding -> RPC -> policy -> output), the engine wires them.
// The ordo-one/benchmark harness lives in the nested package `Benchmarks/` so the
// default build (and `make test`) never compiles it.

import PackageDescription
import class Foundation.ProcessInfo

/// Fuzz executables only link with the libFuzzer runtime (`-sanitize=fuzzer`),
/// so they exist only when `make fuzz` asks for them.
let fuzzing = ProcessInfo.processInfo.environment["RPCREPLAY_FUZZ"] == "1"

var targets: [Target] = [
    // System libraries (Debian: libpcap-dev, libzstd-dev).
    .systemLibrary(
        name: "CPcap", pkgConfig: "libpcap",
        providers: [.apt(["libpcap-dev"])]),
    .systemLibrary(
        name: "CZstd", pkgConfig: "libzstd",
        providers: [.apt(["libzstd-dev"])]),
    // Tiny header-only C helpers (prefetch, libFuzzer driver declaration).
    .target(name: "CShims"),
    // Same-run baselines written in plain C: bare libpcap loop, raw libzstd, memory walk.
    .target(
        name: "CBaselines", dependencies: ["CPcap", "CZstd"],
        linkerSettings: [.linkedLibrary("pcap"), .linkedLibrary("zstd")]),

    // Stage 1: capture I/O (mmap, format sniffing, pcap/pcapng/zstd readers, BPF, pcap writing).
    .target(name: "CaptureIO", dependencies: ["CPcap", "CZstd", "CShims"]),
    // Stage 2: link/IP/UDP/TCP decoding, checksums, fragments, flow keys.
    .target(name: "PacketDecoding", dependencies: ["CaptureIO", "CShims"]),
    // Reference hash-table order model (glibc random, H3, Bro Dictionary) for flush/service/DUMP order.
    .target(name: "HashOrder"),
    // Stage 2b: connection tables, UDP/TCP endpoint state, TCP reassembly, timers on
    // network time, conn.log summaries.
    .target(name: "Connections", dependencies: ["PacketDecoding", "CaptureIO", "HashOrder"]),
    // Stage 3: ONC RPC message paths (XDR, record marking, call tables) and the portmapper program.
    .target(name: "SunRPC", dependencies: ["PacketDecoding"]),
    .target(name: "Portmapper", dependencies: ["SunRPC"]),
    // Stage 4: portmapper / weird / notice policy, configuration tables, log writers.
    // Yams (libyaml) reads `--config` files: its nodes carry line numbers for error messages.
    .target(
        name: "Policy",
        dependencies: ["PacketDecoding", "SunRPC", "Portmapper", "HashOrder", .product(name: "Yams", package: "Yams")],
        exclude: ["README.md"]),
    // Golden-log comparison (GOLDEN.md rules) used by `rpcreplay diff` and the tests.
    .target(name: "GoldenDiff"),

    // Command-line tool.
    .executableTarget(
        name: "rpcreplay",
        dependencies: [
            "CaptureIO", "GoldenDiff", "CBaselines",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

    .testTarget(name: "CaptureIOTests", dependencies: ["CaptureIO", "CPcap", "CZstd", "CBaselines"]),
    .testTarget(
        name: "PacketDecodingTests",
        dependencies: ["PacketDecoding", "CaptureIO", "CPcap", "PacketDecodingAllocationCounter"]),
    // Test-only malloc counter proving the decoding hot path does not allocate.
    .target(name: "PacketDecodingAllocationCounter", path: "Tests/PacketDecodingAllocationCounter"),
    .testTarget(name: "HashOrderTests", dependencies: ["HashOrder", "CorpusSynth"]),
    .testTarget(name: "ConnectionsTests", dependencies: ["Connections", "PacketDecoding", "CaptureIO", "CorpusSynth"]),
    .testTarget(name: "SunRPCTests", dependencies: ["SunRPC", "PacketDecoding"]),
    .testTarget(name: "PortmapperTests", dependencies: ["Portmapper", "SunRPC", "PacketDecoding", "CaptureIO"]),
    .testTarget(name: "PolicyTests", dependencies: ["Policy", "PacketDecoding", "SunRPC", "Portmapper"]),
    .testTarget(name: "GoldenDiffTests", dependencies: ["GoldenDiff"]),
    .testTarget(name: "CLITests", dependencies: ["CaptureIO", "CPcap", "CZstd"]),
    // Differential test against tshark's rpc.* fields on every corpus (skipped without tshark).
    .testTarget(
        name: "RPCDifferentialTests",
        dependencies: ["CaptureIO", "PacketDecoding", "Connections", "SunRPC", "Portmapper"]),
]

// Stage 6: the engine (reader -> dispatcher -> shards -> merge -> policy -> writers) and
// the `replay` command built on it.
targets.append(.target(
    name: "Engine",
    dependencies: ["CShims", "CaptureIO", "PacketDecoding", "Connections", "SunRPC", "Portmapper", "Policy"]))
targets.append(.testTarget(
    name: "EngineTests",
    dependencies: ["Engine", "CaptureIO", "PacketDecoding", "Connections", "Policy", "GoldenDiff",
                   "PacketDecodingAllocationCounter", "CorpusSynth"]))
for target in targets where target.name == "rpcreplay" {
    target.dependencies.append("Engine")
    target.dependencies.append("Policy")
}

if fuzzing {
    targets.append(
        .executableTarget(name: "FuzzReader", dependencies: ["CaptureIO", "CShims"], path: "Sources/FuzzTargets/FuzzReader"))
    for name in ["FuzzRPCUDP", "FuzzRPCTCPStream", "FuzzPortmapReply"] {
        targets.append(
            .executableTarget(name: name, dependencies: ["Portmapper", "SunRPC", "PacketDecoding", "CShims"],
                              path: "Sources/FuzzTargets/\(name)"))
    }
}

// Deterministic synthetic corpora (`rpcreplay corpus synth`): background traffic with
// portmapper dialogues and anomalies, streamed to a classic pcap file.
targets.append(.target(name: "CorpusSynth", dependencies: ["CaptureIO", "PacketDecoding"]))
targets.append(.testTarget(
    name: "CorpusSynthTests",
    dependencies: ["CorpusSynth", "CaptureIO", "CPcap", "PacketDecoding", "Connections", "Engine", "Policy",
                   "PacketDecodingAllocationCounter"]))
// Terminal progress line (stderr, throttled) for long replays and syntheses.
targets.append(.target(name: "ProgressLine"))
targets.append(.testTarget(name: "ProgressLineTests", dependencies: ["ProgressLine"]))
for target in targets where target.name == "rpcreplay" {
    target.dependencies.append("CorpusSynth")
    target.dependencies.append("ProgressLine")
}

let package = Package(
    name: "RPCReplay",
    products: [
        .executable(name: "rpcreplay", targets: ["rpcreplay"]),
        .library(name: "CaptureIO", targets: ["CaptureIO"]),
        // For the nested Benchmarks/ package, which compares the reader with these baselines.
        .library(name: "CBaselines", targets: ["CBaselines"]),
        // For Benchmarks/PipelineBenchmarks (decode, connection tracking, RPC prefix, whole engine).
        .library(name: "PacketDecoding", targets: ["PacketDecoding"]),
        .library(name: "Connections", targets: ["Connections"]),
        .library(name: "SunRPC", targets: ["SunRPC"]),
        .library(name: "Policy", targets: ["Policy"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)

