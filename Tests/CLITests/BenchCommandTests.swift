import CaptureIO
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
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

/// The replay pipeline part of `bench`: stages, shards, chart, replay RSS.
extension BenchCommandTests {
    private static let stageKeys = ["read", "filterDecode", "analyze", "policy", "write"]

    private func benchJSON(_ arguments: [String]) throws -> (file: [String: Any], top: [String: Any]) {
        let result = try runBench(["--json"] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.stderr)
        return (try XCTUnwrap((top["files"] as? [[String: Any]])?.first), top)
    }

    /// `rpcreplay replay`'s own summary line: (packets read, packets matching the filter).
    private func replayCounts(_ path: String) throws -> (read: UInt64, matched: UInt64) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bench-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["replay", "--shards", "1", "--out", out.path, path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("packets read") }, text)
        let words = line.split(separator: " ")
        let read = try XCTUnwrap(words.firstIndex(of: "packets").flatMap { UInt64(words[$0 - 1]) })
        let matched = try XCTUnwrap(words.firstIndex(of: "read,").flatMap { UInt64(words[$0 + 1]) })
        return (read, matched)
    }

    private func seconds(_ object: Any?) -> Double? { (object as? [String: Any])?["seconds"] as? Double }

    func testPipelineStagesAreDifferencesOfCumulativeTimesAndCountTheRightPackets() throws {
        let path = corpus("synth-nasty/trace.pcap")
        let expected = try replayCounts(path)
        let (file, _) = try benchJSON(["--repeat", "3", path])
        let pipeline = try XCTUnwrap(file["pipeline"] as? [String: Any])
        XCTAssertEqual(pipeline["shards"] as? Int, 1)
        XCTAssertEqual(pipeline["stagesOverlap"] as? Bool, true, "one shard runs on threads too")
        XCTAssertEqual(pipeline["packets"] as? UInt64, expected.read)
        XCTAssertEqual(pipeline["filteredPackets"] as? UInt64, expected.matched)
        XCTAssertEqual(file["packets"] as? UInt64, expected.read, "the reader probe and the pipeline agree")
        let stages = try XCTUnwrap(pipeline["stages"] as? [String: [String: Any]])
        let cumulative = try XCTUnwrap(pipeline["cumulative"] as? [String: [String: Any]])
        XCTAssertEqual(Set(stages.keys), Set(Self.stageKeys))
        XCTAssertEqual(Set(cumulative.keys), Set(Self.stageKeys))
        for (index, key) in Self.stageKeys.enumerated() {
            let stage = try XCTUnwrap(stages[key])
            for field in ["label", "seconds", "cpuSeconds", "packets"] { XCTAssertNotNil(stage[field], "\(key).\(field)") }
            // Read and filter+decode see every packet; the later stages only the filtered ones.
            XCTAssertEqual(stage["packets"] as? UInt64, index < 2 ? expected.read : expected.matched, key)
            // A stage's time is its cumulative time minus the previous one (clamped at 0).
            let previous = index == 0 ? 0 : try XCTUnwrap(seconds(cumulative[Self.stageKeys[index - 1]]))
            let own = try XCTUnwrap(seconds(cumulative[key]))
            XCTAssertEqual(try XCTUnwrap(stage["seconds"] as? Double), max(0, own - previous), accuracy: 1e-12, key)
        }
        let full = try XCTUnwrap(pipeline["full"] as? [String: Any])
        let fullSeconds = try XCTUnwrap(full["seconds"] as? Double)
        XCTAssertEqual(fullSeconds, try XCTUnwrap(seconds(cumulative["write"])))
        let sum = Self.stageKeys.compactMap { stages[$0]?["seconds"] as? Double }.reduce(0, +)
        let clamped = pipeline["clampedStages"] as? [String] ?? []
        if clamped.isEmpty {
            XCTAssertEqual(sum, fullSeconds, accuracy: 1e-9)
        } else {
            XCTAssertGreaterThan(sum, fullSeconds, "clamping a negative difference only adds time")
        }
        // The full pipeline's ratios are the baselines' medians over its median.
        let measurements = try XCTUnwrap(file["measurements"] as? [String: [String: Any]])
        let ratios = try XCTUnwrap(pipeline["ratios"] as? [String: Double])
        XCTAssertEqual(try XCTUnwrap(ratios["fullOverLibpcap"]),
                       try XCTUnwrap(seconds(measurements["libpcap"])) / fullSeconds, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(ratios["fullOverMemoryWalk"]),
                       try XCTUnwrap(seconds(measurements["memoryWalk"])) / fullSeconds, accuracy: 1e-9)
        XCTAssertNil(ratios["fullOverRawZstd"], "not a zstd file")
        XCTAssertNil(ratios["compareShardsOverShards"])
        XCTAssertEqual((file["mismatches"] as? [String])?.isEmpty, true)
    }

    func testShardsAndCompareShardsSeeTheSamePackets() throws {
        let path = corpus("synth-nasty/trace.pcap")
        let (one, _) = try benchJSON(["--repeat", "1", "--compare-shards", "2", path])
        let (two, _) = try benchJSON(["--repeat", "1", "--shards", "2", path])
        let p1 = try XCTUnwrap(one["pipeline"] as? [String: Any])
        let p2 = try XCTUnwrap(two["pipeline"] as? [String: Any])
        XCTAssertEqual(p2["shards"] as? Int, 2)
        XCTAssertEqual(p2["stagesOverlap"] as? Bool, true)
        XCTAssertEqual(p1["packets"] as? UInt64, p2["packets"] as? UInt64)
        XCTAssertEqual(p1["filteredPackets"] as? UInt64, p2["filteredPackets"] as? UInt64)
        XCTAssertEqual((two["mismatches"] as? [String])?.isEmpty, true)
        // --compare-shards 2: the full pipeline again on 2 shards, and the ratio of the two.
        let compare = try XCTUnwrap(p1["compareShards"] as? [String: Any])
        XCTAssertEqual(compare["shards"] as? Int, 2)
        let comparedFull = try XCTUnwrap(seconds(compare["full"]))
        let full = try XCTUnwrap(seconds(p1["full"]))
        let ratios = try XCTUnwrap(p1["ratios"] as? [String: Double])
        XCTAssertEqual(try XCTUnwrap(ratios["compareShardsOverShards"]), full / comparedFull, accuracy: 1e-9)
        XCTAssertEqual((compare["full"] as? [String: Any])?["packets"] as? UInt64, p1["packets"] as? UInt64)
    }

    func testReplayPeakRSSIsMeasuredInAChildProcess() throws {
        let (file, top) = try benchJSON(["--repeat", "1", corpus("synth-mix-small/trace.pcap.zst")])
        let rss = try XCTUnwrap(file["replayPeakRSSBytes"] as? UInt64)
        XCTAssertGreaterThan(try XCTUnwrap(top["replaySpawnRSSBytes"] as? UInt64), 0)
        // A replay maps its binary and reads a 7.6 MiB stream: a figure of a few
        // KiB would be a unit error (ru_maxrss is in KiB on Linux).
        XCTAssertGreaterThan(rss, 4 << 20)
        XCTAssertLessThan(rss, 1 << 30)
        let pipeline = try XCTUnwrap(file["pipeline"] as? [String: Any])
        XCTAssertNotNil((pipeline["ratios"] as? [String: Double])?["fullOverRawZstd"], "zstd input")
    }

    func testTableShowsStagesRatiosAndRSS() throws {
        let result = try runBench(["--repeat", "1", "--shards", "2", "--compare-shards", "1", corpus("synth-nasty/trace.pcap")])
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = String(decoding: result.stdout, as: UTF8.self)
        for label in ["read", "filter+decode", "analyze", "policy", "write"] {
            XCTAssertTrue(text.contains("\n  \(label) "), "row \(label) missing:\n\(text)")
        }
        let fullRows = text.split(separator: "\n").filter { $0.hasPrefix("  full pipeline") }
        XCTAssertEqual(fullRows.count, 2, text)
        for row in fullRows { XCTAssertTrue(row.contains("full/libpcap") && row.contains("full/memory-walk"), String(row)) }
        XCTAssertTrue(text.contains("shards 1 / shards 2"), text)
        XCTAssertTrue(text.contains("approximate"), text)
        XCTAssertTrue(text.contains("replay peak RSS:"), text)
    }

    func testChartIsWellFormedSVGNamingEveryStageAndBaseline() throws {
        let path = corpus("synth-mix-small/trace.pcap.zst")
        let chart = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: chart) }
        let result = try runBench(["--repeat", "1", "--compare-shards", "2", "--chart", chart.path, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let collector = SVGTextCollector()
        let parser = try XCTUnwrap(XMLParser(contentsOf: chart))
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        XCTAssertEqual(collector.root, "svg")
        XCTAssertGreaterThan(collector.rectangles, 10)
        let text = collector.texts.joined(separator: "\n")
        for name in ["read", "filter+decode", "analyze", "policy", "write", "libpcap", "raw libzstd", "memory walk",
                     path, "1 shard", "2 shards", "the libpcap loop", "raw libzstd"]
        {
            XCTAssertTrue(text.contains(name), "\(name) not in the chart:\n\(text)")
        }
    }

    func testTruncatedFileReportsWhyThePipelineAndTheReplayStopped() throws {
        let result = try runBench(["--json", "--repeat", "1", corpus("variants/zeek-nfs-write.truncated.pcap")])
        XCTAssertEqual(result.status, 1, result.stderr)
        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let file = try XCTUnwrap((top["files"] as? [[String: Any]])?.first)
        XCTAssertNil(file["pipeline"])
        XCTAssertNil(file["replayPeakRSSBytes"])
        let errors = try XCTUnwrap(file["errors"] as? [String: String])
        for key in Self.stageKeys {
            XCTAssertTrue(errors["pipeline.\(key).1"]?.contains("truncated record") == true, "\(key): \(errors)")
        }
        XCTAssertTrue(errors["replayPeakRSS"]?.contains("exited with status 3") == true, "\(errors)")
    }

    func testNoPipelineKeepsTheReaderProbesOnly() throws {
        let (file, _) = try benchJSON(["--repeat", "1", "--no-pipeline", corpus("zeek-nfs-write/trace.pcap")])
        XCTAssertNil(file["pipeline"])
        XCTAssertNil(file["replayPeakRSSBytes"])
        XCTAssertNotNil((file["measurements"] as? [String: Any])?["reader"])
    }

    func testRejectsBadShardCounts() throws {
        for arguments in [["--shards", "0"], ["--compare-shards", "0"], ["--shards", "257"]] {
            let result = try runBench(arguments + [corpus("zeek-nfs-write/trace.pcap")])
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.stderr.contains(arguments[0]), result.stderr)
        }
    }
}

/// Root element name, rectangle count and text contents of an SVG document.
private final class SVGTextCollector: NSObject, XMLParserDelegate {
    var root: String?
    var rectangles = 0
    var texts: [String] = []
    private var current: String?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "rect" { rectangles += 1 }
        if name == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current? += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let current { texts.append(current) }
        if name == "text" { current = nil }
    }
}
