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
    .testTarget(name: "GoldenDiffTests", dependencies: ["GoldenDiff"]),
    .testTarget(name: "CLITests", dependencies: ["CaptureIO"]),
]

if fuzzing {
    targets.append(
        .executableTarget(name: "FuzzReader", dependencies: ["CaptureIO", "CShims"], path: "Sources/FuzzTargets/FuzzReader"))
}

let package = Package(
    name: "RPCReplay",
    products: [
        .executable(name: "rpcreplay", targets: ["rpcreplay"]),
        .library(name: "CaptureIO", targets: ["CaptureIO"]),
        // For the nested Benchmarks/ package, which compares the reader with these baselines.
        .library(name: "CBaselines", targets: ["CBaselines"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
