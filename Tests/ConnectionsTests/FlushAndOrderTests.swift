import Connections
import PacketDecoding
import XCTest

/// End-of-trace flush order (§2.7), the order of records within a packet, and
/// connection identity.
final class FlushAndOrderTests: XCTestCase {
    func host(_ n: UInt8, _ port: UInt16) -> Host { Host(address: IPv4Address(10, 0, 1, n), port: port) }

    func testFlushOrder() {
        let h = Harness(checksums: true)
        let server = host(100, 111)
        h.udp(0, host(1, 30001), server, payload: bytes(8))                        // RPC UDP: expiry at 24
        h.tcp(1, host(2, 30002), server, .syn, seq: 1)
        h.tcp(1.5, server, host(2, 30002), [.syn, .ack], seq: 9, ack: 2, checksum: .bad)  // attempt at 6.5
        h.tcp(2, host(3, 30003), server, .syn, seq: 1)                               // pending SYN
        h.tcp(2.5, host(6, 30006), server, .syn, seq: 1)                             // pending SYN
        h.handshake(3, host(4, 30004), server)                                       // full S1
        h.udp(4, server, host(5, 30005), payload: bytes(8))                          // flipped UDP
        h.finish()
        XCTAssertEqual(h.removals.map(\.reason), [.tcpAttempt, .rpcExpiry, .endOfTrace, .endOfTrace, .endOfTrace, .endOfTrace])
        XCTAssertEqual(h.removals.map(\.summary.id.originatorPort), [30002, 30001, 30003, 30006, 30004, 30005])
        // Every flush record carries the last packet's network time.
        XCTAssertEqual(Set(h.removals.map(\.time)), [4])
        // The compressor's records are synthetic.
        XCTAssertEqual(h.removals.map { $0.slot == nil }, [false, false, true, true, false, false])
    }

    func testTimersPopInTimeOrderAtTheEnd() {
        let h = Harness()
        let server = host(100, 111)
        h.udp(0, host(1, 30001), server, payload: bytes(8))   // expiry 24
        h.udp(-10, host(2, 30002), server, payload: bytes(8))  // created at network time 0 too -> 24, later order
        h.handshake(0.5, host(3, 30003), server)
        h.tcp(1, host(3, 30003), server, [.fin, .ack], seq: 1001, ack: 5001)
        h.tcp(1.1, host(3, 30003), server, .rst, seq: 1002)   // reset timer at 6.1
        h.finish()
        XCTAssertEqual(h.removals.map(\.summary.id.originatorPort), [30003, 30001, 30002])
    }

    func testTimerRecordsComeBeforeThePacketsOwn() {
        let h = Harness()
        h.udp(0, host(1, 30001), host(100, 111), payload: bytes(8))
        let first = h.udp(30, host(2, 30002), host(100, 111), payload: bytes(8))
        XCTAssertEqual(h.kinds(from: first), ["event:timeout", "removing:rpcExpiry", "removed:rpcExpiry", "created", "udpPayload"])
    }

    func testFINPayloadIsDeliveredBeforeTheCloseIsReported() {
        let h = Harness()
        let c = Host.client, s = Host.server
        h.handshake(0)
        h.tcp(0.3, s, c, [.fin, .ack], seq: 5001, ack: 1001)
        let first = h.tcp(0.4, c, s, [.fin, .ack, .psh], seq: 1001, ack: 5002, payload: bytes(4))
        XCTAssertEqual(h.kinds(from: first), ["tcpData:o", "event:finished"])
    }

    func testSlotsAreReusedOnlyAfterRemoval() {
        let h = Harness()
        h.udp(0, host(1, 30001), host(100, 111), payload: bytes(8))
        h.udp(2, host(2, 30002), host(100, 111), payload: bytes(8))
        h.tick(24)  // the first connection expires (the second lives until 26)
        h.udp(25, host(3, 30003), host(100, 111), payload: bytes(8))
        h.finish()
        let slots = h.removals.map { $0.slot!.index }
        XCTAssertEqual(h.removals.map(\.summary.id.originatorPort), [30001, 30002, 30003])
        XCTAssertEqual(slots[0], slots[2], "the freed slot is reused")
        XCTAssertNotEqual(slots[0], slots[1])
    }

    func testRemovalFactsForTheRPCLayer() {
        let h = Harness()
        let c = Host.client, s = Host.server
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(7))
        h.tcp(0.4, c, s, [.fin, .ack], seq: 1008, ack: 5001)
        h.tcp(0.5, c, s, .rst, seq: 1009)  // CLOSED -> RESET: "was CLOSED"
        h.finish()
        let removing = h.records.compactMap { r -> ConnectionRemoval? in
            if case .connectionRemoving(let x) = r { return x } else { return nil }
        }
        XCTAssertEqual(removing.count, 1)
        XCTAssertTrue(removing[0].originatorIsOrWasClosed)
        XCTAssertTrue(removing[0].hasRPCAnalyzer)
        XCTAssertEqual(removing[0].summary.originator.size, 7)
        XCTAssertEqual(removing[0].summary.originator.tcpState, .reset)
    }

    func testAnotherLayersWeirdSuppressesPossibleSplitRouting() {
        for noted in [false, true] {
            let h = Harness()
            let c = Host.client, s = Host.server
            h.tcp(0, c, s, .syn, seq: 1000)
            h.tcp(0.1, s, c, .ack, seq: 5000, ack: 1001)  // an ACK before any SYN+ACK: responder stays INACTIVE
            if noted { h.tracker.noteWeird(on: ConnectionSlot(index: 0)) }
            h.tcp(0.2, c, s, .ack, seq: 1001, ack: 5000)
            XCTAssertEqual(h.weirdNames, noted ? [] : ["possible_split_routing"])
        }
    }

    func testSummaryOfALiveConnection() {
        let h = Harness()
        h.udp(0, Host.client, Host.server, payload: bytes(8))
        let summary = h.tracker.summary(of: ConnectionSlot(index: 0))
        XCTAssertEqual(summary?.originator.size, 8)
        XCTAssertEqual(summary?.id.responderPort, 111)
        XCTAssertNil(h.tracker.summary(of: ConnectionSlot(index: 5)))
    }
}
