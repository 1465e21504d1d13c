import Engine
import Foundation
import XCTest

/// Traces built so that the orders the reference takes from its global structures
/// decide the output, spread over several shards: ties in the one timer queue,
/// timers re-armed by timers, the pending list, the end-of-trace dictionaries, and
/// the two global limits that make a sharded run fall back to one shard.
final class ShardOrderTests: XCTestCase {
    typealias Endpoint = TraceBuilder.Endpoint
    let server = Endpoint.portmapper

    func runs(_ trace: TraceBuilder, _ name: String) throws -> ShardRuns {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        return ShardRuns(scratch: scratch, paths: [try trace.written(to: scratch, name: name + ".pcap")], label: name)
    }

    func connLines(_ directory: URL) throws -> [String] {
        try EngineTestSupport.lines(directory.appendingPathComponent("conn.log"))
    }

    /// Originator ports of conn.log lines (5th field of `T D ORIG RESP SVC OPORT ...`).
    func originatorPorts(_ lines: [String]) -> [Int] {
        lines.map { Int($0.split(separator: " ")[5])! }
    }

    /// 200 unanswered UDP calls at one timestamp: their 24 s expiries tie and fire
    /// together at a later packet, in creation order.
    func testEqualExpiryTimesFireInCreationOrder() throws {
        var trace = TraceBuilder()
        for i in 0 ..< 200 {
            trace.udp(100.0, from: .client(i), to: server,
                      payload: PortmapMessages.getportCall(xid: UInt32(i), program: 100_003, version: 3, protocolNumber: 17))
        }
        trace.udp(130.0, from: .client(999), to: server, payload: PortmapMessages.getportReply(xid: 1, port: 1))
        let runs = try runs(trace, "equal-expiry")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode)
            let ports = originatorPorts(try connLines(one).filter { $0.contains("(timeout)") })
            XCTAssertEqual(ports, (0 ..< 200).map { 40000 + $0 }, "\(mode): expiries in creation order")
            XCTAssertNil(reports[8]?.fallback, "\(mode): 200 timers are within max_timer_expires")
        }
    }

    /// Timers scheduled by firing timers: inactivity timers of 40 idle TCP
    /// connections are re-armed at one packet to one common time, so when they fire
    /// together their order is the order in which their parents fired (SYN-ACK
    /// order), not the order of the connections' last packets (reversed here).
    func testRearmedTimersTieInTheirParentsOrder() throws {
        var trace = TraceBuilder()
        let count = 40
        for i in 0 ..< count {
            let t = 100.0 + Double(i) * 0.001
            trace.tcp(t, from: .client(i), to: server, flags: TraceBuilder.syn, seq: 1000, ack: 0)
            trace.tcp(t + 0.0001, from: server, to: .client(i), flags: TraceBuilder.syn | TraceBuilder.ack,
                      seq: 5000, ack: 1001)
        }
        for i in (0 ..< count).reversed() {
            trace.tcp(200.0, from: .client(i), to: server, flags: TraceBuilder.ack, seq: 1001, ack: 5001)
        }
        // Parents due (about 400.1): re-armed at 200 + 300; then all of them due at 501.
        trace.udp(401.0, from: .client(1000), to: server, payload: PortmapMessages.getportReply(xid: 1, port: 1))
        trace.udp(501.0, from: .client(1001), to: server, payload: PortmapMessages.getportReply(xid: 2, port: 1))
        let runs = try runs(trace, "rearmed")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode)
            let tcp = try connLines(one).filter { $0.contains(" tcp ") }
            XCTAssertEqual(originatorPorts(tcp), (0 ..< count).map { 40000 + $0 }, "\(mode): \(tcp.prefix(3))")
            XCTAssertNil(reports[2]?.fallback)
        }
    }

    /// Unanswered SYNs, some retransmitted (which moves them to the end of the
    /// pending list), expire together at one TCP packet: in list order across shards.
    func testPendingSYNsExpireInListOrder() throws {
        var trace = TraceBuilder()
        for i in 0 ..< 60 {
            trace.tcp(50.0, from: .client(i), to: server, flags: TraceBuilder.syn, seq: 1, ack: 0)
        }
        for i in stride(from: 0, to: 60, by: 7) {
            trace.tcp(51.0, from: .client(i), to: server, flags: TraceBuilder.syn, seq: 2, ack: 0)
        }
        trace.tcp(57.0, from: .client(500), to: server, flags: TraceBuilder.ack, seq: 1, ack: 1)
        let runs = try runs(trace, "pending")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode)
            let attempts = try connLines(one).filter { $0.hasSuffix("cc=1") }
            let retransmitted = Array(stride(from: 0, to: 60, by: 7))
            let expected = (0 ..< 60).filter { !retransmitted.contains($0) } + retransmitted
            XCTAssertEqual(originatorPorts(attempts), expected.map { 40000 + $0 }, mode)
            XCTAssertNil(reports[3]?.fallback)
        }
    }

    /// Hundreds of connections left at the end of the trace (TCP established and
    /// pending, UDP RPC and reply-first UDP), with some removed before: each flush
    /// step keeps the reference's global order whatever the shard count.
    func testFlushOrderOfManyConnections() throws {
        var trace = TraceBuilder()
        for i in 0 ..< 300 {
            let t = 10.0 + Double(i) * 0.01
            trace.tcp(t, from: .client(i), to: server, flags: TraceBuilder.syn, seq: 1000, ack: 0)
            trace.tcp(t + 0.001, from: server, to: .client(i), flags: TraceBuilder.syn | TraceBuilder.ack, seq: 7, ack: 1001)
            if i % 5 == 0 {
                trace.tcp(t + 0.002, from: .client(i), to: server, flags: TraceBuilder.fin | TraceBuilder.ack, seq: 1001, ack: 8)
                trace.tcp(t + 0.003, from: server, to: .client(i), flags: TraceBuilder.fin | TraceBuilder.ack, seq: 8, ack: 1002)
            }
        }
        // Packets keep coming while the close timers (and the first expire timers)
        // come due, a few at a time.
        for i in 0 ..< 100 {
            let t = 13.0 + Double(i) * 0.06
            trace.udp(t, from: server, to: .client(2000 + i), payload: PortmapMessages.getportReply(xid: UInt32(i), port: 9))
            trace.udp(t + 0.001, from: .client(3000 + i), to: server,
                      payload: PortmapMessages.getportCall(xid: UInt32(i), program: 100_005, version: 1, protocolNumber: 6))
            trace.tcp(t + 0.002, from: .client(4000 + i), to: server, flags: TraceBuilder.syn, seq: 9, ack: 0)
        }
        let runs = try runs(trace, "flush")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode)
            let lines = try connLines(one)
            XCTAssertEqual(lines.count, 600, mode)
            XCTAssertTrue(lines.prefix(30).allSatisfy { $0.contains(" SF ") }, "\(mode): closed ones first")
            XCTAssertNil(reports[4]?.fallback)
        }
    }

    /// More timers due at one packet than `max_timer_expires` (300): the reference
    /// fires 300 there and the rest at the next packets. No shard can decide that
    /// alone, so a sharded run says so and finishes on one shard, with the same output.
    func testTimerStormFallsBackToOneShard() throws {
        var trace = TraceBuilder()
        for i in 0 ..< 420 {
            trace.udp(100.0 + Double(i) * 0.001, from: .client(i), to: server,
                      payload: PortmapMessages.getportCall(xid: UInt32(i), program: 100_003, version: 2, protocolNumber: 6))
        }
        for k in 0 ..< 3 {
            trace.udp(200.0 + Double(k), from: .client(900 + k), to: server,
                      payload: PortmapMessages.getportReply(xid: 9, port: 1))
        }
        let runs = try runs(trace, "storm")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode)
            // One shard: 300 expiries at the first late packet, 120 at the second.
            let events = try EngineTestSupport.lines(one.appendingPathComponent("events.log"))
                .filter { $0.contains("pm_attempt_getport") }
            XCTAssertEqual(events.filter { $0.hasPrefix("200.000000") }.count, 300, mode)
            XCTAssertEqual(events.filter { $0.hasPrefix("201.000000") }.count, 120, mode)
            for count in [2, 3, 4, 8] {
                guard case .timerLimit(let fired)? = reports[count]?.fallback?.reason else {
                    XCTFail("\(mode) \(count) shards: expected a timer-limit fallback, got \(String(describing: reports[count]?.fallback))")
                    continue
                }
                XCTAssertGreaterThan(fired, 300)
                XCTAssertEqual(reports[count]?.fallback?.packetSequence, 420)
                XCTAssertEqual(reports[count]?.shardCount, 1)
            }
        }
    }

    /// SYN times out of order: the single pending list keeps a later-listed, older
    /// SYN behind a recent one; a shard that does not hold the recent one would
    /// expire the older one early. The sharded run detects it and falls back.
    func testOutOfOrderSYNTimesFallBackWhenShardsWouldDiffer() throws {
        var trace = TraceBuilder()
        for k in 0 ..< 12 {
            let base = 1000.0 + Double(k) * 30
            trace.tcp(base + 10, from: .client(2 * k), to: server, flags: TraceBuilder.syn, seq: 1, ack: 0)
            trace.tcp(base + 3, from: .client(2 * k + 1), to: server, flags: TraceBuilder.syn, seq: 1, ack: 0)
            trace.tcp(base + 8.5, from: .client(100 + k), to: server, flags: TraceBuilder.ack, seq: 5, ack: 5)
            trace.tcp(base + 16, from: .client(200 + k), to: server, flags: TraceBuilder.ack, seq: 5, ack: 5)
        }
        let runs = try runs(trace, "unordered-syn")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode)
            // One shard: the older SYN (odd client) waits behind the recent one and
            // both are reported at the packet after base + 15.
            let attempts = originatorPorts(try connLines(one).filter { $0.hasSuffix("cc=1") })
            XCTAssertEqual(Array(attempts.prefix(2)), [40000, 40001], mode)
            let fellBack = [2, 3, 4, 8].filter {
                if case .pendingExpiry? = reports[$0]?.fallback?.reason { return true } else { return false }
            }
            XCTAssertFalse(fellBack.isEmpty, "\(mode): some shard count splits a pair and must fall back")
        }
    }
}
