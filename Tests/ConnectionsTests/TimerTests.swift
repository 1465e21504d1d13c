import Connections
import XCTest

/// Network time and the timers of SEMANTICS-CONN §2.6.
final class TimerTests: XCTestCase {
    let c = Host.client, s = Host.server, c2 = Host.client2, s2 = Host.server2

    func testRPCExpiryFiresAtTheNextPacketOfAnyConnection() {
        let h = Harness()
        h.udp(100, c, s, payload: bytes(40))
        h.udp(110, c, s, payload: bytes(40))  // still active: no effect on the expiry
        h.udp(123.9, c2, s2, payload: bytes(40))
        XCTAssertTrue(h.removals.isEmpty)
        let first = h.udp(124.5, Host(address: c2.address, port: 5), s2, payload: bytes(8))
        // Removed before the triggering packet is processed, stamped with its time.
        XCTAssertEqual(Array(h.kinds(from: first).prefix(3)), ["event:timeout", "removing:rpcExpiry", "removed:rpcExpiry"])
        XCTAssertEqual(h.removals.first?.time, 124.5)
        XCTAssertEqual(h.connLines.first, "100.000000 10.000000 10.0.0.1 10.0.0.2 portmap 40000 111 udp 80 ? S0 X")
        // A later packet on the same 5-tuple starts a fresh connection.
        h.udp(125, c, s, payload: bytes(40))
        h.finish()
        XCTAssertEqual(h.connLines.filter { $0.contains(" 40000 ") }.count, 2)
    }

    func testRPCExpiryUsesNetworkTimeNotThePacketTime() {
        // An out-of-order packet does not move network time backwards.
        let h = Harness()
        h.udp(50, c2, s2, payload: bytes(8))
        h.udp(40, c, s, payload: bytes(8))  // created at network time 50 -> expiry at 74
        h.tick(73.9)
        XCTAssertEqual(h.removals.count, 0)
        h.tick(74)
        XCTAssertEqual(h.removals.map(\.summary.id.originatorPort), [40001, 40000])
        XCTAssertEqual(h.removals[1].summary.startTime, 40)
    }

    func testRPCExpiryAtEndOfTraceCarriesTheLastPacketTime() {
        let h = Harness()
        h.udp(1, c, s, payload: bytes(8))
        h.tick(7)
        h.finish()
        XCTAssertEqual(h.removals.map(\.reason), [.rpcExpiry])
        XCTAssertEqual(h.removals.first?.time, 7)
    }

    func testTCPAttemptTimerFiveSecondsAfterTheSYN() {
        let h = Harness(checksums: true)
        h.tcp(10, c, s, .syn, seq: 1)
        // The compressor feeds the connection a copy of the SYN stamped with
        // the SYN's own time, so the timer runs from 10, not from the reply.
        h.tcp(10.5, s, c, [.syn, .ack], seq: 9, ack: 2, checksum: .bad)
        h.tick(14.99)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(15)
        XCTAssertEqual(h.removals.map(\.reason), [.tcpAttempt])
        XCTAssertEqual(h.events, [.attempt])
        XCTAssertEqual(h.connLines, ["10.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? S0 X"])
    }

    func testTCPResetTimerAfterFINThenRST() {
        let h = Harness()
        h.handshake(0)
        h.tcp(1, c, s, [.fin, .ack], seq: 1001, ack: 5001)
        h.tcp(2, c, s, .rst, seq: 1002)
        h.tick(6.9)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(7)
        XCTAssertEqual(h.removals.map(\.reason), [.tcpReset])
        XCTAssertEqual(h.events, [.established, .reset])
        XCTAssertEqual(h.connLines, ["0.000000 2.000000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? RSTO X"])
    }

    func testTCPResetTimerAlsoActsAtEndOfTrace() {
        let h = Harness()
        h.handshake(0)
        h.tcp(1, c, s, [.fin, .ack], seq: 1001, ack: 5001)
        h.tcp(2, c, s, .rst, seq: 1002)
        h.finish()
        XCTAssertEqual(h.removals.map(\.reason), [.tcpReset])
    }

    func testTCPExpireRemovesAConnectionWhereNothingGotThrough() {
        // Created at network time 0 -> expire timer at 5; linger not yet over at 5,
        // re-armed at 11; removed at 11.
        let h = Harness(checksums: true)
        h.tcp(0, c, s, .ack, seq: 1, ack: 1, payload: bytes(4), checksum: .bad)
        h.tick(5)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(10.9)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(11)
        XCTAssertEqual(h.removals.map(\.reason), [.tcpExpire])
        XCTAssertEqual(h.events, [.timeout])
    }

    func testTCPSessionTimerAfterAHalfCloseWithSilentPeer() {
        // One side closes; the peer stays INACTIVE (only its ACK-less numbering).
        let h = Harness()
        h.tcp(0, c, s, [.ack], seq: 1, ack: 1, payload: bytes(10))
        h.tcp(1, c, s, [.fin, .ack], seq: 11, ack: 1)
        // FIN of a side whose peer is INACTIVE completes the close: close timer at 1+5.
        h.tick(5.9)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(6)
        XCTAssertEqual(h.removals.map(\.reason), [.tcpClose])
        XCTAssertEqual(h.events, [.halfFinished, .timeout])
    }

    func testTCPCloseTimerFiveSecondsAfterTheLastPacket() {
        let h = Harness()
        h.handshake(0)
        h.tcp(1, c, s, [.fin, .ack], seq: 1001, ack: 5001)
        h.tcp(2, s, c, [.fin, .ack], seq: 5001, ack: 1002)
        h.tcp(3, c, s, .ack, seq: 1002, ack: 5002)  // after both closed: no last_time update
        h.tick(6.9)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(7)
        XCTAssertEqual(h.removals.map(\.reason), [.tcpClose])
        XCTAssertEqual(h.events, [.established, .finished, .timeout])
    }

    func testCloseTimerDoesNotActAtEndOfTrace() {
        let h = Harness()
        h.handshake(0)
        h.tcp(1, c, s, [.fin, .ack], seq: 1001, ack: 5001)
        h.tcp(2, s, c, [.fin, .ack], seq: 5001, ack: 1002)
        h.finish()
        XCTAssertEqual(h.removals.map(\.reason), [.endOfTrace])
    }

    func testPartialCloseWhenASidesFirstPacketIsAFIN() {
        let h = Harness()
        h.tcp(0, c, s, [.ack, .psh], seq: 1, ack: 1, payload: bytes(8))  // partial connection
        h.tcp(0.5, s, c, [.fin, .ack], seq: 1, ack: 9)
        h.tick(3.4)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(3.5)
        XCTAssertEqual(h.removals.map(\.reason), [.tcpPartialClose])
        XCTAssertEqual(h.events.last, .partialClose)
    }

    func testUDPInactivityForANonRPCFlow() {
        let h = Harness()
        h.udp(0, s, c, payload: bytes(8))  // flipped: no RPC expiry
        h.udp(30, s, c, payload: bytes(8))
        h.tick(60)  // first check at 0+60: idle only 30 s -> re-armed at 90
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(89.9)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(90)
        XCTAssertEqual(h.removals.map(\.reason), [.inactivity])
    }

    func testTCPInactivityAfterTheHandshake() {
        let h = Harness()
        h.handshake(0)
        h.tcp(1, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        h.tick(300.9)
        XCTAssertTrue(h.removals.isEmpty)
        h.tick(301)
        XCTAssertEqual(h.removals.map(\.reason), [.inactivity])
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 10 ? S1 X"])
    }

    func testCompressorExpiryRunsOnlyOnTCPPackets() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1)
        h.udp(10, c2, s2, payload: bytes(8))
        h.tick(10)
        XCTAssertTrue(h.removals.isEmpty, "UDP packets and clock ticks do not expire pending SYNs")
        let first = h.tcp(10.5, c2, s2, .syn, seq: 1)
        XCTAssertEqual(h.kinds(from: first), ["event:attempt", "removed:pendingExpired"])
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? S0 X cc=1"])
    }

    func testCompressorExpiryIsAtSYNTimePlusFiveInclusive() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1)
        h.tcp(4.999, c2, s2, .ack, seq: 1, ack: 1)
        XCTAssertTrue(h.removals.isEmpty)
        h.tcp(5, c2, s2, .ack, seq: 1, ack: 1)
        XCTAssertEqual(h.removals.map(\.reason), [.pendingExpired])
    }

    func testAtMost300TimersPerPacket() {
        let h = Harness()
        for i in 0 ..< 301 {
            h.udp(Double(i) * 0.001, Host(address: c.address, port: UInt16(20000 + i)), s, payload: bytes(8))
        }
        h.tick(100)
        XCTAssertEqual(h.removals.count, 300)
        h.tick(100)
        XCTAssertEqual(h.removals.count, 301)
        XCTAssertEqual(h.tracker.statistics.timerLimitHits, 1)
    }
}
