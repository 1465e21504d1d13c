import Connections
import XCTest

/// The connection compressor (SEMANTICS-CONN §2.4) and reuse (§2.5).
final class CompressorTests: XCTestCase {
    let c = Host.client, s = Host.server

    func testRetransmittedSYNMovesTheStartTime() {
        let h = Harness()
        h.tcp(9.309722, c, s, .syn, seq: 308944456)
        h.tcp(9.310222, c, s, .syn, seq: 308944456)
        h.finish()
        XCTAssertEqual(h.connLines, ["9.310222 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? S0 X cc=1"])
    }

    func testRetransmittedSYNStartsTheInstantiatedConnection() {
        let h = Harness()
        h.tcp(1, c, s, .syn, seq: 100)
        h.tcp(2, c, s, .syn, seq: 100)
        h.tcp(2.5, s, c, [.syn, .ack], seq: 7, ack: 101)
        h.finish()
        XCTAssertEqual(h.removals.first?.summary.startTime, 2)
    }

    func testRetransmittedSYNExpiresInItsNewOrder() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1)
        h.tcp(1, Host.client2, Host.server2, .syn, seq: 1)
        h.tcp(2, c, s, .syn, seq: 1)  // restarts c's pending entry at 2
        h.tcp(6.5, Host(address: c.address, port: 9), s, .ack, seq: 1, ack: 1)
        XCTAssertEqual(h.removals.map(\.summary.id.originatorPort), [40001], "c's SYN now expires at 7")
        h.finish()
        XCTAssertEqual(h.removals.map(\.summary.id.originatorPort), [40001, 40000, 9])
    }

    func testSYNWeirdsAndLostPayload() {
        let h = Harness()
        h.tcp(0, c, s, [.syn, .urg], seq: 100, payload: bytes(44))
        h.tcp(0.5, s, c, [.syn, .ack], seq: 7, ack: 145)
        h.finish()
        XCTAssertEqual(h.weirdNames, ["baroque_SYN", "SYN_with_data", "bad_SYN_ack"])
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty, "the SYN's payload is lost")
    }

    func testChristmasSYN() {
        let h = Harness()
        h.tcp(0, c, s, [.syn, .rst], seq: 100)
        XCTAssertEqual(h.weirdNames, ["TCP_christmas"])
        if case .weird(let w) = h.records[0], case .connection(let connection) = w.scope {
            let (id, slot) = (connection.id, connection.slot)
            XCTAssertNil(slot)
            XCTAssertEqual(id.originatorPort, 40000)
        } else {
            XCTFail("expected a conn weird")
        }
    }

    func testRepeatedSYNWithAck() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 100)
        h.tcp(0.2, c, s, [.syn, .ack], seq: 100, ack: 9)
        XCTAssertEqual(h.weirdNames, ["repeated_SYN_with_ack"])
    }

    func testDataWhilePendingIsDiscarded() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 100)
        h.tcp(0.1, c, s, [.ack, .psh], seq: 101, ack: 1, payload: bytes(20))
        h.tcp(0.2, s, c, [.syn, .ack], seq: 7, ack: 101)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 121, ack: 8, payload: bytes(8, start: 20))
        h.finish()
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty, "bytes 1-20 never arrived, so 21-28 wait above the hole")
        // Sizes come from sequence numbers: the discarded bytes still count.
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 28 ? S1 X"])
    }

    func testInstantiationFeedsASynthesizedSYNThenTheReply() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 100)
        let first = h.tcp(0.4, s, c, [.syn, .ack], seq: 7, ack: 101)
        XCTAssertEqual(h.kinds(from: first), ["created", "event:established"])
        h.tcp(0.5, c, s, [.ack, .psh], seq: 101, ack: 8, payload: bytes(5))
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(5)])
    }

    func testPendingSYNAckFromAServerPortIsReportedRoleSwapped() {
        let h = Harness()
        h.tcp(0, s, c, [.syn, .ack], seq: 7, ack: 101)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? OTH X cc=1"])
        XCTAssertEqual(h.removals.first?.summary.responder.tcpState, .synSent)
    }

    func testCorruptOptionsOnTheFirstSYNAreAFlowWeird() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1, options: [2, 9, 0, 0])  // MSS claiming 9 bytes in a 4-byte area
        XCTAssertEqual(h.weirdNames, ["corrupt_tcp_options"])
        if case .weird(let w) = h.records[0] {
            XCTAssertEqual(w.scope, .flow(source: c.address, destination: s.address))
        }
    }

    func testReuseAfterCloseRemovesTheOldConnection() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.fin, .ack], seq: 1001, ack: 5001)
        h.tcp(0.4, s, c, [.fin, .ack], seq: 5001, ack: 1002)
        let first = h.tcp(1, c, s, .syn, seq: 90000)
        XCTAssertEqual(h.kinds(from: first),
                       ["weird:premature_connection_reuse", "event:reused", "removing:reuse", "removed:reuse", "created"])
        h.tcp(1.1, s, c, [.syn, .ack], seq: 1, ack: 90001)
        h.finish()
        XCTAssertEqual(h.connLines, [
            "0.000000 0.400000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 0 0 SF X",
            "1.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? S1 X",
        ])
    }

    func testSYNWithTheSameSequenceIsNoReuse() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, .syn, seq: 1000)
        h.finish()
        XCTAssertEqual(h.removals.count, 1)
    }

    func testSYNWithANewSequenceOnAnAttemptIsASeqJumpReuse() {
        let h = Harness(checksums: true)
        h.tcp(0, c, s, .syn, seq: 1000)
        h.tcp(0.1, s, c, [.syn, .ack], seq: 5000, ack: 1001, checksum: .bad)
        h.tcp(0.2, c, s, .syn, seq: 3000)
        XCTAssertEqual(h.weirdNames, ["bad_TCP_checksum", "SYN_seq_jump"])
        XCTAssertEqual(h.removals.map(\.reason), [.reuse])
    }

    func testSYNAckFirstFromPort111IsFlippedAndAnalyzed() {
        // The reference crashed here (GOLDEN.md); the roles follow the unbuggy rule.
        let h = Harness()
        h.tcp(0, s, c, [.syn, .ack], seq: 5000, ack: 1001)
        h.tcp(0.1, c, s, .ack, seq: 1001, ack: 5001)
        h.tcp(0.2, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(12))
        h.tcp(0.3, s, c, [.ack, .psh], seq: 5001, ack: 1013, payload: bytes(8))
        h.tcp(0.4, c, s, [.fin, .ack], seq: 1013, ack: 5009)
        h.tcp(0.5, s, c, [.fin, .ack], seq: 5009, ack: 1014)
        h.finish()
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(12)])
        XCTAssertEqual(h.tcpChunks(originator: false), [bytes(8)])
        XCTAssertEqual(h.connLines, ["0.000000 0.500000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 12 8 SF X"])
    }
}
