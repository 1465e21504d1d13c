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
    ],
    swiftLanguageModes: [.v6]
)
