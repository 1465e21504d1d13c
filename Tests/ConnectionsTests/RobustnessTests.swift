import Connections
import CorpusSynth
import PacketDecoding
import XCTest

/// Hostile or random input: no traps, bounded buffers, every connection logged once.
final class RobustnessTests: XCTestCase {
    func testRandomSegmentsNeverTrapAndEveryConnectionIsLoggedOnce() {
        for seed in 1 ... 4 as ClosedRange<UInt64> {
            var rng = SplitMix64(seed: seed)
            let h = Harness(checksums: seed % 2 == 0) { $0.maxBlocksPerDirection = 64 }
            let hosts = (0 ..< 6).map { Host(address: IPv4Address(10, 0, 0, UInt8($0 + 1)), port: [111, 40000, 40001, 631, 2049, 7][$0]) }
            var t = 1000.0
            var created = 0
            for _ in 0 ..< 6000 {
                t += Double(rng.below(2000)) / 1000 - (rng.below(50) == 0 ? 3 : 0)
                let a = hosts[rng.below(hosts.count)], b = hosts[rng.below(hosts.count)]
                let payload = bytes(rng.below(4) == 0 ? rng.below(1500) : rng.below(40), start: rng.below(256))
                let checksum: ChecksumKind = rng.below(10) == 0 ? .bad : .good
                if rng.below(3) == 0 {
                    h.udp(t, a, b, payload: payload, udpLength: rng.below(20) == 0 ? rng.below(70000) % 65536 : nil,
                          checksum: checksum, capturedPayload: rng.below(10) == 0 ? rng.below(payload.count + 1) : nil)
                } else {
                    let flags = TCPFlags(rawValue: UInt8(rng.below(64)))
                    let seq = UInt32(truncatingIfNeeded: 1_000_000 &* UInt64(rng.below(3)) &+ UInt64(rng.below(5000)))
                    let ack = UInt32(truncatingIfNeeded: 2_000_000 &* UInt64(rng.below(3)) &+ UInt64(rng.below(5000)))
                    let options: [UInt8] = rng.below(8) == 0 ? (0 ..< 4 * rng.below(4)).map { _ in UInt8(rng.below(256)) } : []
                    h.tcp(t, a, b, flags, seq: seq, ack: ack, payload: payload, window: UInt16(rng.below(65536)),
                          options: options, checksum: checksum,
                          capturedPayload: rng.below(10) == 0 ? rng.below(payload.count + 1) : nil)
                }
            }
            h.finish()
            // Every full connection is removed exactly once per incarnation.
            var live = Set<Int32>()
            for record in h.records {
                switch record {
                case .connectionRemoving(let r):
                    XCTAssertFalse(live.contains(r.slot.index))
                    live.insert(r.slot.index)
                case .connectionRemoved(let r):
                    if let slot = r.slot { XCTAssertTrue(live.remove(slot.index) != nil) }
                    created += 1
                default: break
                }
            }
            XCTAssertTrue(live.isEmpty)
            XCTAssertGreaterThan(created, 10)
            XCTAssertEqual(h.tracker.statistics.liveConnections, 0)
        }
    }

    func testBlockCapDropsDeliveredBlocksOldestFirst() {
        let h = Harness { $0.maxBlocksPerDirection = 4 }
        let c = Host.client, s = Host.server
        h.handshake(0)
        h.tcp(0.25, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10, start: 200))
        h.tcp(0.26, s, c, .ack, seq: 5001, ack: 1011)  // ACKs are visible: delivered data is kept until acked
        for i in 1 ..< 10 {
            h.tcp(0.3 + Double(i) / 100, c, s, [.ack, .psh], seq: 1001 + UInt32(10 * i), ack: 5001,
                  payload: bytes(10, start: 10 * i))
        }
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(10, start: 200)] + (1 ..< 10).map { bytes(10, start: 10 * $0) },
                       "delivery is unaffected")
        XCTAssertEqual(h.weirdNames, [])
        XCTAssertGreaterThan(h.tracker.statistics.liveConnections, 0)
    }

    func testTooManyBlocksAboveAHoleIsExcessive() {
        let h = Harness { $0.maxBlocksPerDirection = 4 }
        let c = Host.client, s = Host.server
        h.handshake(0)
        h.tcp(0.25, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        h.tcp(0.26, s, c, .ack, seq: 5001, ack: 1011)
        for i in 1 ... 5 {
            h.tcp(0.3 + Double(i) / 100, c, s, [.ack, .psh], seq: 1001 + UInt32(20 * i), ack: 5001,
                  payload: bytes(10))
        }
        XCTAssertEqual(h.weirdNames, ["excessive_data_without_further_acks"])
    }
}
