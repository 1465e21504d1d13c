import CaptureIO
import Engine
import Foundation
import XCTest

/// A larger trace (about 33 MB: ten copies of synth-nasty, then four of
/// synth-mix-small, shifted in time) replayed with 1 to 4 shards on threads and with
/// 3 shards in turn on one thread: identical logs, and no fallback, so the shards
/// really ran side by side to the end. Stands in for `corpus synth` output until
/// that generator exists.
final class ShardedLargeTraceTests: XCTestCase {
    /// Copies every packet of `source` into `writer`, timestamps moved so that the
    /// first packet lands at `start` (nanoseconds since the epoch, microsecond steps).
    /// - Returns: the (shifted) timestamp of the last packet.
    static func append(_ source: String, startingAt start: Int64, to writer: PcapWriter) throws -> Int64 {
        let reader = try CaptureReader(path: source)
        var shift: Int64? = nil
        var last = start
        while let packet = try reader.next() {
            let t = packet.timestamp.seconds * 1_000_000_000 + Int64(packet.timestamp.nanoseconds)
            if shift == nil { shift = start - t }
            let moved = t + shift!
            last = moved
            try writer.write(timestamp: CaptureTimestamp(seconds: moved / 1_000_000_000,
                                                         nanoseconds: UInt32(moved % 1_000_000_000)),
                             wireLength: packet.wireLength, bytes: packet.bytes)
        }
        return last
    }

    /// synth-nasty copies one after another (its few connections left at the end time
    /// out quietly), then synth-mix-small copies 24.001 s apart: a copy's UDP
    /// expiries (24 s) then come due a few at a time along the next copy, as
    /// they do in a steady capture, instead of hundreds at one packet.
    static func makeTrace(at path: String) throws {
        let nasty = try EngineTestSupport.trace("synth-nasty")
        let mix = try EngineTestSupport.trace("synth-mix-small")
        let writer = try PcapWriter(path: path, linkType: .ethernet)
        var start: Int64 = 1_800_000_000 * 1_000_000_000
        for _ in 0 ..< 10 {
            let last = try append(nasty, startingAt: start, to: writer)
            start = last + 2_000_000_000
        }
        start += 30_000_000_000
        for _ in 0 ..< 4 {
            _ = try append(mix, startingAt: start, to: writer)
            start += 24_001_000_000
        }
        try writer.close()
    }

    func testConcatenatedCorporaGiveTheSameBytesForAnyShardCount() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let path = scratch.appendingPathComponent("large.pcap").path
        try Self.makeTrace(at: path)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 30_000_000)
        let runs = ShardRuns(scratch: scratch, paths: [path], label: "large")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode, counts: [2, 3, 4], interleaved: true)
            for (count, report) in reports where count > 1 {
                XCTAssertNil(report.fallback, "\(mode) \(count) shards: \(String(describing: report.fallback))")
            }
            XCTAssertGreaterThan(try EngineTestSupport.lines(one.appendingPathComponent("conn.log")).count, 3000, mode)
        }
    }
}
