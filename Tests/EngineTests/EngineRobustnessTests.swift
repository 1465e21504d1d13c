import CorpusSynth
import CaptureIO
import Engine
import Foundation
import XCTest

/// Damaged packets (not damaged files) through the whole pipeline: corpus traces
/// with bytes flipped and packets cut short, reproducibly. The replay must read
/// every packet, finish, and stay deterministic.
final class EngineRobustnessTests: XCTestCase {
    /// Writes `source` with about a third of its packets damaged: a few bytes past
    /// the Ethernet header flipped, or the capture cut at a random length.
    func mutate(_ source: String, seed: UInt64, to path: String) throws -> Int {
        let reader = try CaptureReader(path: source)
        // SplitMix64: deterministic, so failures reproduce by seed.
        var generator = SplitMix64(seed: seed)
        var writer: PcapWriter? = nil
        var count = 0
        while let packet = try reader.next() {
            if writer == nil { writer = try PcapWriter(path: path, linkType: packet.linkType) }
            var bytes = Array(packet.bytes)
            switch generator.below(6) {
            case 0, 1:
                for _ in 0...generator.below(4) where bytes.count > 14 {
                    bytes[14 + generator.below(bytes.count - 14)] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
                }
            case 2:
                bytes = Array(bytes.prefix(generator.below(bytes.count + 1)))
            default:
                break
            }
            try bytes.withUnsafeBytes { raw in
                try writer!.write(timestamp: packet.timestamp, wireLength: packet.wireLength, bytes: raw)
            }
            count += 1
        }
        try writer?.close()
        return count
    }

    func testMutatedCorporaReplayToTheEnd() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        var checked = 0
        for (corpus, seeds) in [("synth-nasty", [1, 2, 3] as [UInt64]), ("rpcbind-rpcinfo-client", [4, 5]),
                                ("rpcbind-v34-rpcbind", [6, 7]), ("zeek-rpc-portmap-sadmind", [8])] {
            let source = try EngineTestSupport.trace(corpus)
            for seed in seeds {
                let damaged = scratch.appendingPathComponent("\(corpus)-\(seed).pcap").path
                let packets = try mutate(source, seed: seed, to: damaged)
                for mode in EngineTestSupport.modes {
                    let first = scratch.appendingPathComponent("\(corpus)-\(seed)-\(mode)-a")
                    let second = scratch.appendingPathComponent("\(corpus)-\(seed)-\(mode)-b")
                    let run = try EngineTestSupport.replay([damaged], mode: mode, into: first)
                    XCTAssertNil(run.report.failure, "\(corpus) seed \(seed) \(mode)")
                    XCTAssertEqual(run.report.packetsRead, UInt64(packets), "\(corpus) seed \(seed) \(mode)")
                    try EngineTestSupport.replay([damaged], mode: mode, into: second)
                    for log in ["conn.log", "weird.log", "notice.log", "alarm.log", "events.log"] {
                        XCTAssertEqual(try EngineTestSupport.bytes(first.appendingPathComponent(log)),
                                       try EngineTestSupport.bytes(second.appendingPathComponent(log)),
                                       "\(corpus) seed \(seed) \(mode): \(log) differs between runs")
                    }
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 16)
    }
}
