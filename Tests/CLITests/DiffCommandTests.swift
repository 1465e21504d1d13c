import Foundation
import XCTest

/// `rpcreplay diff` end to end: exit status, printed counts, --bless.
final class DiffCommandTests: XCTestCase {
    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary under test: $RPCREPLAY_BIN (make test), else the debug build.
    private func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["RPCREPLAY_BIN"] {
            return URL(fileURLWithPath: path)
        }
        let debug = Self.packageRoot.appendingPathComponent(".build/debug/rpcreplay")
        guard FileManager.default.isExecutableFile(atPath: debug.path) else {
            throw XCTSkip("rpcreplay not built (swift build) and RPCREPLAY_BIN unset")
        }
        return debug
    }

    private func diff(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["diff"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("diffcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func testMatchingDirectoriesExitZero() throws {
        let golden = Self.packageRoot.appendingPathComponent("corpora/rpcbind-v2-udp-dialogues/golden/default").path
        let (status, output) = try diff([golden, golden])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("conn.log: golden "), output)
        XCTAssertTrue(output.contains("result: all 4 logs match"), output)
    }

    func testMismatchExitsOneAndShowsLimitedLines() throws {
        let dir = try scratch()
        try write("a\nb\nc\nd\n", dir.appendingPathComponent("golden/weird.log"))
        try write("a\nx\n", dir.appendingPathComponent("out/weird.log"))
        let (status, output) = try diff(["--show", "2", dir.appendingPathComponent("golden").path, dir.appendingPathComponent("out").path])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("weird.log: golden 4 / matched 1 / missing 3 / extra 1"), output)
        XCTAssertTrue(output.contains("    - b\n    - c\n"), output)
        XCTAssertFalse(output.contains("    - d"), output)
        XCTAssertTrue(output.contains("    + x"), output)
        XCTAssertTrue(output.contains("note: golden has no conn.log; counted as empty"), output)
    }

    func testConnFieldsOnlyFlag() throws {
        let dir = try scratch()
        let line = "1700000000.642466 0.004000 172.20.2.7 172.16.9.2 pm_dump 56073 111 tcp 44 32 SF X"
        try write(line + " @2, (nil) <>\n", dir.appendingPathComponent("golden/conn.log"))
        try write(line.replacingOccurrences(of: "pm_dump", with: "portmap") + "\n", dir.appendingPathComponent("out/conn.log"))
        let paths = [dir.appendingPathComponent("golden").path, dir.appendingPathComponent("out").path]
        XCTAssertEqual(try diff(paths).status, 1)
        XCTAssertEqual(try diff(["--conn-fields-only"] + paths).status, 0)
    }

    func testBlessWritesGoldenAndExitsZero() throws {
        let dir = try scratch()
        try write("c\n", dir.appendingPathComponent("out/conn.log"))
        try write("e\n", dir.appendingPathComponent("out/events.log"))
        let golden = dir.appendingPathComponent("new-golden")
        let out = dir.appendingPathComponent("out").path
        let (status, output) = try diff(["--bless", golden.path, out])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("MISMATCH"), "the comparison is printed before blessing: \(output)")
        XCTAssertEqual(try String(contentsOf: golden.appendingPathComponent("conn.log"), encoding: .utf8), "c\n")
        XCTAssertEqual(try String(contentsOf: golden.appendingPathComponent("events.txt"), encoding: .utf8), "e\n")
        XCTAssertEqual(try diff([golden.path, out]).status, 0)
    }

    func testMissingOutputDirectoryIsAUsageError() throws {
        let dir = try scratch()
        let (status, output) = try diff([dir.path, dir.appendingPathComponent("absent").path])
        XCTAssertNotEqual(status, 0)
        XCTAssertNotEqual(status, 1, "usage errors are not reported as a mismatch")
        XCTAssertTrue(output.contains("is not a directory"), output)
    }
}
