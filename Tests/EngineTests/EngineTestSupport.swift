import Engine
import Foundation
import Policy
import XCTest

/// Shared helpers: corpus locations, library replays into temporary directories,
/// and the `rpcreplay` binary for CLI tests.
enum EngineTestSupport {
    /// The package root (Tests/EngineTests/ is two levels below it).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpora = root.appendingPathComponent("corpora")

    /// The two reference runs: checksums verified, and `-C`.
    static let modes = ["default", "nochecksum"]

    /// Every corpus that has goldens, sorted.
    static var goldenCorpora: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpora.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: corpora.appendingPathComponent($0).appendingPathComponent("golden").path)
        }.sorted()
    }

    /// corpora/NAME/trace.{pcap,pcapng,pcap.zst}.
    static func trace(_ corpus: String) throws -> String {
        let dir = corpora.appendingPathComponent(corpus)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("trace.") }.sorted()
        guard let file = files.first else { throw XCTSkip("no trace in \(dir.path)") }
        return dir.appendingPathComponent(file).path
    }

    static func goldenDirectory(_ corpus: String, _ mode: String) -> String {
        corpora.appendingPathComponent(corpus).appendingPathComponent("golden").appendingPathComponent(mode).path
    }

    /// A fresh temporary directory removed when the test ends.
    static func temporaryDirectory(for test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rpcreplay-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Replays `paths` with the library into `directory` (events.log included).
    @discardableResult
    static func replay(_ paths: [String], mode: String = "default", into directory: URL,
                       format: LogFormat = .reference, configure: (inout EngineConfiguration) -> Void = { _ in })
        throws -> (report: EngineReport, warnings: [String]) {
        var configuration = EngineConfiguration(verifyChecksums: mode == "default", recordEvents: true)
        configure(&configuration)
        let engine = try Engine(configuration: configuration)
        let warnings = WarningBox()
        let sink = try LogDirectorySink(directory: directory.path, format: format, events: configuration.recordEvents,
                                        onWarning: { warnings.lines.append($0) })
        let report = try engine.run(paths: paths, sink: sink)
        sink.close()
        return (report, warnings.lines)
    }

    static func lines(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        if text.isEmpty { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            .map(String.init)
    }

    static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    // MARK: - The binary

    /// `RPCREPLAY_BIN` (the Makefile points it at the release binary), else the debug build.
    static var binary: String {
        if let bin = ProcessInfo.processInfo.environment["RPCREPLAY_BIN"], !bin.isEmpty { return bin }
        return root.appendingPathComponent(".build/debug/rpcreplay").path
    }

    struct ProcessResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the rpcreplay binary; skips the test when it has not been built.
    static func rpcreplay(_ arguments: [String]) throws -> ProcessResult {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("no rpcreplay binary at \(binary); run `swift build` first")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("rr-out-\(UUID().uuidString)")
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("rr-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        // Files instead of pipes: nothing can block however much the child writes.
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.run()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }
}

/// Collects sink warnings (the sink's callback runs on the engine's thread).
final class WarningBox: @unchecked Sendable {
    var lines: [String] = []
}
