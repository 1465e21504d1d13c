import Foundation

/// The generated corpora the suites read: one plain pcap and two zstd copies
/// of it. Made once by scripts/bench-data.sh (shared with `make bench`) into a
/// cached temporary directory, so repeated runs do not regenerate them.
struct BenchmarkInputs: Sendable {
    let plain: String
    let singleFrame: String
    let multiFrame: String

    /// Size of the plain pcap in MiB (RPCREPLAY_BENCH_MB, default 128: smaller
    /// than `make bench` because the harness repeats every benchmark many times).
    static var megabytes: Int {
        Int(ProcessInfo.processInfo.environment["RPCREPLAY_BENCH_MB"] ?? "") ?? 128
    }

    static func prepare() throws -> BenchmarkInputs {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rpcreplay-bench-\(megabytes)mb").path
        let inputs = BenchmarkInputs(
            plain: directory + "/plain.pcap", singleFrame: directory + "/single.pcap.zst",
            multiFrame: directory + "/multi.pcap.zst")
        let fm = FileManager.default
        if [inputs.plain, inputs.singleFrame, inputs.multiFrame].allSatisfy({ fm.fileExists(atPath: $0) }) {
            return inputs
        }
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["bash", root.appendingPathComponent("scripts/bench-data.sh").path, directory]
        // With a built rpcreplay, its `corpus pack` makes the multi-frame copy.
        if let bin = ProcessInfo.processInfo.environment["RPCREPLAY_BIN"] { arguments.append(bin) }
        script.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["BENCH_MB"] = String(megabytes)
        script.environment = environment
        try script.run()
        script.waitUntilExit()
        guard script.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "bench-data.sh failed"])
        }
        return inputs
    }
}
