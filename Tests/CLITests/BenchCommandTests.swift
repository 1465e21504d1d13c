import CaptureIO
import Foundation
import XCTest

/// `rpcreplay bench` end to end: the numbers it prints must describe the file
/// (timings themselves are never asserted: targets live in benchmarks only).
final class BenchCommandTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// RPCREPLAY_BIN (set by `make test`), else the debug binary beside the test bundle.
    private static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["RPCREPLAY_BIN"] { return URL(fileURLWithPath: path) }
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("rpcreplay"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("rpcreplay"),
            root.appendingPathComponent(".build/debug/rpcreplay"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }

    private func runBench(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["bench"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }

    private func corpus(_ name: String) -> String { Self.root.appendingPathComponent("corpora/" + name).path }

    func testJSONDescribesAPlainPcap() throws {
        let path = corpus("zeek-nfs-write/trace.pcap")
        let reader = try CaptureReader(path: path)
        var packets: UInt64 = 0
        var captured: UInt64 = 0
        while let packet = try reader.next() {
            packets += 1
            captured += UInt64(packet.bytes.count)
        }
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber

        let result = try runBench(["--json", "--repeat", "2", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        XCTAssertEqual(json["repeat"] as? Int, 2)
        XCTAssertGreaterThan(json["peakRSSBytes"] as? Int ?? 0, 0)
        let file = try XCTUnwrap((json["files"] as? [[String: Any]])?.first)
        XCTAssertEqual(file["container"] as? String, "pcap")
        XCTAssertEqual(file["packets"] as? UInt64, packets)
        XCTAssertEqual(file["capturedBytes"] as? UInt64, captured)
        XCTAssertEqual(file["streamBytes"] as? Int, size.intValue)
        XCTAssertEqual((file["mismatches"] as? [String])?.isEmpty, true)
        let measurements = try XCTUnwrap(file["measurements"] as? [String: [String: Any]])
        XCTAssertEqual(Set(measurements.keys), ["reader", "libpcap", "memoryWalk", "memcpy"])
        XCTAssertEqual(measurements["libpcap"]?["packets"] as? UInt64, packets)
        let ratios = try XCTUnwrap(file["ratios"] as? [String: Double])
        // The ratio is the quotient of the two medians it names.
        let readerSeconds = try XCTUnwrap(measurements["reader"]?["seconds"] as? Double)
        let libpcapSeconds = try XCTUnwrap(measurements["libpcap"]?["seconds"] as? Double)
        XCTAssertEqual(try XCTUnwrap(ratios["readerOverLibpcap"]), libpcapSeconds / readerSeconds, accuracy: 1e-9)
        XCTAssertNotNil(ratios["readerOverMemoryWalk"])
        XCTAssertNil(ratios["readerOverRawZstd"])
    }

    func testZstdInputGetsRawZstdAndLibpcapOnTheSameStream() throws {
        let result = try runBench(["--json", "--repeat", "1", corpus("synth-mix-small/trace.pcap.zst")])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.stderr)
        let file = try XCTUnwrap((json["files"] as? [[String: Any]])?.first)
        XCTAssertEqual(file["container"] as? String, "zstd")
        XCTAssertEqual(file["streamContainer"] as? String, "pcap")
        XCTAssertEqual(file["zstdFrames"] as? Int, 1)
        let measurements = try XCTUnwrap(file["measurements"] as? [String: [String: Any]])
        XCTAssertNotNil(measurements["rawZstd"])
        XCTAssertGreaterThan(measurements["libpcap"]?["packets"] as? Int ?? 0, 0)
        XCTAssertNil(measurements["readerOneThread"], "a single frame has nothing to decompress in parallel")
        // Until the zstd reader exists the reader probe reports why it could not
        // run (and bench fails); once it does, every probe must agree.
        let errors = file["errors"] as? [String: String] ?? [:]
        XCTAssertNotEqual(measurements["reader"] == nil, errors["reader"] == nil)
        XCTAssertEqual((file["mismatches"] as? [String])?.isEmpty, true)
        XCTAssertEqual(result.status == 0, errors.isEmpty)
    }

    func testMultiFrameZstdComparesOneAndTwoThreads() throws {
        let result = try runBench(["--json", "--repeat", "1", corpus("variants/synth-mix-small.multiframe.pcap.zst")])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let file = try XCTUnwrap((json["files"] as? [[String: Any]])?.first)
        XCTAssertGreaterThan(file["zstdFrames"] as? Int ?? 0, 1)
        let measurements = try XCTUnwrap(file["measurements"] as? [String: [String: Any]])
        XCTAssertEqual(
            Set(measurements.keys),
            ["readerOneThread", "readerTwoThreads", "libpcap", "rawZstd", "rawZstdTwoThreads", "memoryWalk", "memcpy"])
        XCTAssertEqual(measurements["readerOneThread"]?["threads"] as? Int, 1)
        XCTAssertEqual(measurements["readerTwoThreads"]?["threads"] as? Int, 2)
        // Both reader probes and libpcap saw the same packets (no mismatch recorded).
        XCTAssertEqual((file["mismatches"] as? [String])?.isEmpty, true)
        let ratios = try XCTUnwrap(file["ratios"] as? [String: Double])
        for key in ["twoThreadsOverOneThread", "rawTwoThreadsOverOneThread", "readerTwoThreadsOverRawTwoThreads",
            "readerOneThreadOverRawZstd", "twoThreadsCPUOverWall"]
        {
            XCTAssertNotNil(ratios[key], key)
        }
    }

    func testUnreadableFileFailsWithAMessage() throws {
        let result = try runBench(["--repeat", "1", "/nonexistent/trace.pcap"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/nonexistent/trace.pcap"), result.stderr)
    }

    func testRejectsZeroRepetitions() throws {
        let result = try runBench(["--repeat", "0", corpus("zeek-nfs-write/trace.pcap")])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--repeat"), result.stderr)
    }
}
