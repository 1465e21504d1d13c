// swift-tools-version: 6.1
//
// ordo-one/benchmark suites for RPCReplay. A separate package on purpose: the
// benchmark harness roughly doubles a clean build, so the root package (and
// `make test`) never compiles it. Run with `make benchmarks`.

import PackageDescription

let package = Package(
    name: "RPCReplayBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "RPCReplay", path: ".."),
        // The default trait pulls a package that is not mirrored here.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ReaderBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CaptureIO", package: "RPCReplay"),
                .product(name: "CBaselines", package: "RPCReplay"),
            ],
            path: "ReaderBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Decode, connection tracking, the RPC prefix parser and the whole engine
        // against the same-run libpcap loop (results: RESULTS.md).
        .executableTarget(
            name: "PipelineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CaptureIO", package: "RPCReplay"),
                .product(name: "CBaselines", package: "RPCReplay"),
                .product(name: "PacketDecoding", package: "RPCReplay"),
                .product(name: "Connections", package: "RPCReplay"),
                .product(name: "SunRPC", package: "RPCReplay"),
                .product(name: "Policy", package: "RPCReplay"),
                .product(name: "Engine", package: "RPCReplay"),
            ],
            path: "PipelineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
