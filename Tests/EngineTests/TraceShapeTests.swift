import CaptureIO
import Engine
import Foundation
import XCTest

/// The trace as a whole: several files are one trace, damaged input still gives
/// the logs of everything before the fault, other container forms give the same
/// logs, and two runs give the same bytes.
final class TraceShapeTests: XCTestCase {
    static let logNames = ["conn.log", "weird.log", "notice.log", "alarm.log", "events.log"]

    /// Copies packets `range` (0-based, in file order) of `source` into a new classic pcap.
    func copyPackets(of source: String, _ range: Range<Int>, to path: String) throws {
        let reader = try CaptureReader(path: source)
        var writer: PcapWriter? = nil
        var index = 0
        while index < range.upperBound, let packet = try? reader.next() {
            defer { index += 1 }
            guard index >= range.lowerBound else { continue }
            if writer == nil { writer = try PcapWriter(path: path, linkType: packet.linkType) }
            try writer!.write(packet)
        }
        try writer?.close()
    }

    func assertSameLogs(_ a: URL, _ b: URL, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in Self.logNames {
            let left = try EngineTestSupport.bytes(a.appendingPathComponent(name))
            let right = try EngineTestSupport.bytes(b.appendingPathComponent(name))
            XCTAssertEqual(left, right, "\(what): \(name) differs", file: file, line: line)
        }
    }

    /// A trace split in two files and given in order replays exactly like the whole.
    func testTwoFilesAreOneTrace() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let whole = try EngineTestSupport.trace("synth-nasty")
        let first = scratch.appendingPathComponent("first.pcap").path
        let second = scratch.appendingPathComponent("second.pcap").path
        try copyPackets(of: whole, 0..<800, to: first)
        try copyPackets(of: whole, 800..<Int.max, to: second)
        for mode in EngineTestSupport.modes {
            let joined = scratch.appendingPathComponent("joined-\(mode)")
            let reference = scratch.appendingPathComponent("whole-\(mode)")
            let split = try EngineTestSupport.replay([first, second], mode: mode, into: joined)
            let full = try EngineTestSupport.replay([whole], mode: mode, into: reference)
            XCTAssertEqual(split.report.packetsRead, full.report.packetsRead)
            try assertSameLogs(joined, reference, "\(mode): first.pcap second.pcap vs the whole trace")
        }
        // Argument order is the trace's order: reversed, the connections are cut differently.
        let reversed = scratch.appendingPathComponent("reversed")
        try EngineTestSupport.replay([second, first], into: reversed)
        XCTAssertNotEqual(try EngineTestSupport.bytes(reversed.appendingPathComponent("conn.log")),
                          try EngineTestSupport.bytes(scratch.appendingPathComponent("whole-default/conn.log")))
    }

    /// A file cut inside a record: the fault is reported with file and offset, and the
    /// logs equal those of a clean file holding just the packets before the fault
    /// (the end-of-trace flush happens at the fault).
    func testTruncatedPcapFlushesAtTheFault() throws {
        try checkDamaged("zeek-nfs-write.truncated.pcap", packetsBeforeFault: 73, offset: 9832)
    }

    func testTruncatedZstdFlushesAtTheFault() throws {
        try checkDamaged("synth-nasty.truncated.pcap.zst", packetsBeforeFault: 725, offset: nil)
    }

    func testCorruptZstdBlockFlushesAtTheFault() throws {
        try checkDamaged("synth-nasty.corrupt-block.pcap.zst", packetsBeforeFault: 360, offset: nil)
    }

    private func checkDamaged(_ variant: String, packetsBeforeFault: Int, offset: UInt64?) throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let damaged = EngineTestSupport.corpora.appendingPathComponent("variants").appendingPathComponent(variant).path
        guard FileManager.default.fileExists(atPath: damaged) else { throw XCTSkip("no \(variant)") }
        let clean = scratch.appendingPathComponent("clean.pcap").path
        try copyPackets(of: damaged, 0..<packetsBeforeFault, to: clean)
        for mode in EngineTestSupport.modes {
            let cut = scratch.appendingPathComponent("cut-\(mode)")
            let reference = scratch.appendingPathComponent("clean-\(mode)")
            let run = try EngineTestSupport.replay([damaged], mode: mode, into: cut)
            guard case .capture(let error)? = run.report.failure else {
                XCTFail("\(variant)/\(mode): expected a capture failure, got \(String(describing: run.report.failure))")
                continue
            }
            XCTAssertEqual(error.file, damaged)
            if let offset { XCTAssertEqual(error.offset, offset) }
            XCTAssertEqual(run.report.packetsRead, UInt64(packetsBeforeFault))
            try EngineTestSupport.replay([clean], mode: mode, into: reference)
            try assertSameLogs(cut, reference, "\(variant)/\(mode) vs its first \(packetsBeforeFault) packets")
            let conn = try EngineTestSupport.lines(cut.appendingPathComponent("conn.log"))
            XCTAssertFalse(conn.isEmpty, "\(variant)/\(mode): connections open at the fault are flushed")
        }
    }

    /// A file of a link type the reference refuses ("unknown data link type") stops
    /// the trace at its first packet, even when the filter would reject the packet;
    /// an earlier file of the trace is still replayed.
    func testUnknownLinkTypeStopsTheTrace() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let wireless = scratch.appendingPathComponent("wireless.pcap").path
        let writer = try PcapWriter(path: wireless, linkType: LinkType(rawValue: 105))  // IEEE 802.11
        let frame = [UInt8](repeating: 0, count: 60)
        try frame.withUnsafeBytes { try writer.write(timestamp: CaptureTimestamp(seconds: 2_000_000_000, nanoseconds: 0),
                                                      wireLength: 60, bytes: $0) }
        try writer.close()
        let output = scratch.appendingPathComponent("out")
        let run = try EngineTestSupport.replay([try EngineTestSupport.trace("rpcbind-bad-ports"), wireless],
                                               mode: "nochecksum", into: output)
        guard case .unknownLinkType(let linkType, let file)? = run.report.failure else {
            return XCTFail("expected an unknown-link-type failure, got \(String(describing: run.report.failure))")
        }
        XCTAssertEqual(linkType.rawValue, 105)
        XCTAssertEqual(file, wireless)
        XCTAssertEqual(try EngineTestSupport.lines(output.appendingPathComponent("conn.log")).count, 1,
                       "the first file's connection is flushed")
    }

    /// Byte order, timestamp precision, pcapng and multi-frame zstd forms of a corpus
    /// give that corpus's goldens.
    func testIntactVariantsGiveTheirCorpusGoldens() throws {
        let directory = EngineTestSupport.corpora.appendingPathComponent("variants")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let intact = names.filter { !$0.hasSuffix(".md") && !$0.contains("truncated") && !$0.contains("corrupt") }.sorted()
        guard !intact.isEmpty else { throw XCTSkip("no variants") }
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        for name in intact {
            let corpus = String(name.prefix { $0 != "." })
            for mode in EngineTestSupport.modes {
                let output = scratch.appendingPathComponent("\(name)-\(mode)")
                let run = try EngineTestSupport.replay([directory.appendingPathComponent(name).path], mode: mode, into: output)
                XCTAssertNil(run.report.failure, name)
                if let report = try GoldenCriteria.policy(golden: EngineTestSupport.goldenDirectory(corpus, mode),
                                                          output: output.path) {
                    XCTFail("\(name)/\(mode) [Policy: all four logs]\n\(report)")
                }
            }
        }
    }

    /// Two runs write byte-identical files, in both formats.
    func testTwoRunsAreByteIdentical() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        for corpus in ["synth-nasty", "synth-mix-small", "rpcbind-rpcinfo-client"] {
            let trace = try EngineTestSupport.trace(corpus)
            for mode in EngineTestSupport.modes {
                let a = scratch.appendingPathComponent("\(corpus)-\(mode)-a")
                let b = scratch.appendingPathComponent("\(corpus)-\(mode)-b")
                try EngineTestSupport.replay([trace], mode: mode, into: a)
                try EngineTestSupport.replay([trace], mode: mode, into: b)
                try assertSameLogs(a, b, "\(corpus)/\(mode) run 1 vs run 2")
                XCTAssertFalse(try EngineTestSupport.bytes(a.appendingPathComponent("events.log")).isEmpty)
            }
            let jsonA = scratch.appendingPathComponent("\(corpus)-json-a")
            let jsonB = scratch.appendingPathComponent("\(corpus)-json-b")
            try EngineTestSupport.replay([trace], into: jsonA, format: .json)
            try EngineTestSupport.replay([trace], into: jsonB, format: .json)
            for name in ["conn", "weird", "notice", "alarm", "events"] {
                XCTAssertEqual(try EngineTestSupport.bytes(jsonA.appendingPathComponent(name + ".jsonl")),
                               try EngineTestSupport.bytes(jsonB.appendingPathComponent(name + ".jsonl")),
                               "\(corpus) json: \(name).jsonl differs between runs")
            }
        }
    }
}
