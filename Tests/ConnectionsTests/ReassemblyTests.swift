import Connections
import XCTest

/// Sizes from sequence numbers (§3.5) and in-order delivery (§3.4).
final class ReassemblyTests: XCTestCase {
    let c = Host.client, s = Host.server

    // MARK: Sizes

    func testSizesAcrossASequenceNumberWrap() {
        let h = Harness()
        let ci: UInt32 = 0xFFFF_FFC0, si: UInt32 = 0xFFFF_FFF0
        h.handshake(0, ci: ci, si: si)
        h.tcp(0.3, c, s, [.ack, .psh], seq: ci &+ 1, ack: si &+ 1, payload: bytes(100))
        h.tcp(0.4, s, c, [.ack, .psh], seq: si &+ 1, ack: ci &+ 101, payload: bytes(50))
        h.tcp(0.5, c, s, [.fin, .ack], seq: ci &+ 101, ack: si &+ 51)
        h.tcp(0.6, s, c, [.fin, .ack], seq: si &+ 51, ack: ci &+ 102)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 0.600000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 100 50 SF X"])
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(100)])
        XCTAssertEqual(h.tcpChunks(originator: false), [bytes(50)])
    }

    func testLostDataStillCountsAndRetransmissionsDoNotDoubleCount() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        h.tcp(0.4, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))  // retransmission
        h.tcp(0.5, s, c, .ack, seq: 5001, ack: 1031)  // acks 20 bytes never seen
        h.finish()
        XCTAssertEqual(h.tracker.summary(of: ConnectionSlot(index: 0)), nil, "finished trackers are empty")
        XCTAssertEqual(h.removals.first?.summary.originator.size, 30)
    }

    func testRSTPayloadDoesNotCount() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.rst, .ack], seq: 1001, ack: 5001, payload: bytes(30))
        h.finish()
        XCTAssertEqual(h.removals.first?.summary.originator.size, 0)
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty)
    }

    // MARK: Delivery

    func testOutOfOrderSegmentsAreDeliveredInOrderBlockByBlock() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1011, ack: 5001, payload: bytes(10, start: 10))
        h.tcp(0.4, c, s, [.ack, .psh], seq: 1021, ack: 5001, payload: bytes(5, start: 20))
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty)
        h.tcp(0.5, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(10), bytes(10, start: 10), bytes(5, start: 20)])
    }

    func testIdenticalRetransmissionIsSilentAndNotDeliveredTwice() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        h.tcp(0.4, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(15))
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(10), bytes(5, start: 10)])
        XCTAssertFalse(h.kinds().contains("rexmit"))
    }

    func testDifferentRetransmissionRaisesRexmitInconsistencyAndOldBytesWin() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: Array("hello".utf8))
        let first = h.tcp(0.4, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: Array("jello!".utf8))
        XCTAssertEqual(h.kinds(from: first), ["rexmit", "tcpData:o"])
        guard case .rexmitInconsistency = h.records[first] else { return XCTFail() }
        XCTAssertEqual(h.tcpChunks(originator: true), [Array("hello".utf8), Array("!".utf8)])
    }

    func testRexmitBytesAreCarriedInTheRecord() {
        var old: [UInt8] = [], new: [UInt8] = []
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: Array("abcd".utf8))
        // Read the bytes while the harness's buffer still holds this packet's output.
        h.tcp(0.4, c, s, [.ack, .psh], seq: 1003, ack: 5001, payload: Array("XY".utf8))
        for record in h.out.records {
            if case .rexmitInconsistency(let r) = record {
                old = Array(h.out.bytes(r.old)); new = Array(h.out.bytes(r.new))
            }
        }
        XCTAssertEqual(old, Array("cd".utf8))
        XCTAssertEqual(new, Array("XY".utf8))
    }

    func testGapDeclaredOnlyWhenThePeerAcksBeyondIt() {
        let h = Harness()
        h.handshake(0)
        // Bytes 1-10 never seen; 11-20 wait above the hole.
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1011, ack: 5001, payload: bytes(10, start: 10))
        XCTAssertFalse(h.kinds().contains { $0.hasPrefix("contentGap") })
        let first = h.tcp(0.4, s, c, .ack, seq: 5001, ack: 1011)
        // The ACK at the hole's end: the gap is reported, then the block is delivered.
        XCTAssertEqual(h.kinds(from: first), ["contentGap:1+10", "undelivered:1+10", "tcpData:o", "ackAboveHole"])
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(10, start: 10)])
    }

    func testDataBelowAnAckedHoleIsDropped() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1011, ack: 5001, payload: bytes(10, start: 10))
        let first = h.tcp(0.4, s, c, .ack, seq: 5001, ack: 1021)
        XCTAssertEqual(h.kinds(from: first), ["contentGap:1+20", "undelivered:1+20", "ackAboveHole"])
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty)
        // Late bytes for the skipped range are ignored.
        h.tcp(0.5, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty)
    }

    func testNoGapEventUnlessBothEndpointsAreEstablished() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, s, c, [.ack, .psh], seq: 5001, ack: 1001, payload: bytes(4))  // delivered: next = 5
        h.tcp(0.4, s, c, [.ack, .psh], seq: 5011, ack: 1001, payload: bytes(4))  // hole 5-10
        // The client's FIN acks past the hole. Both sides are still ESTABLISHED
        // when the ACK is processed (the FIN changes the state afterwards).
        let first = h.tcp(0.5, c, s, [.fin, .ack], seq: 1001, ack: 5015)
        // Everything below the ACK that was not delivered is skipped: the hole
        // and the block above it (5-14).
        XCTAssertEqual(h.kinds(from: first), ["contentGap:5+10", "undelivered:5+10", "ackAboveHole"])
        // Now the client is CLOSED: a further gap is skipped without the event.
        h.tcp(0.6, s, c, [.ack, .psh], seq: 5021, ack: 1002, payload: bytes(4))
        let next = h.tcp(0.7, c, s, .ack, seq: 1002, ack: 5025)
        XCTAssertEqual(h.kinds(from: next), ["undelivered:15+10"])
    }

    func testFINCountsBeforeTheGapCheckWhenNothingWasDelivered() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.4, s, c, [.ack, .psh], seq: 5011, ack: 1001, payload: bytes(4))
        // Nothing of the server's data was delivered and this ACK carries a FIN:
        // the special case applies and the server's direction goes silent (the
        // ack-above-hole test was made before, so that event still comes).
        let first = h.tcp(0.5, c, s, [.fin, .ack], seq: 1001, ack: 5015)
        XCTAssertEqual(h.kinds(from: first), ["ackAboveHole"])
        h.tcp(0.6, s, c, [.ack, .psh], seq: 5015, ack: 1002, payload: bytes(4))
        XCTAssertTrue(h.tcpChunks(originator: false).isEmpty)
    }

    func testNothingDeliveredAndFINSeenMeansSilentSkip() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.fin, .ack], seq: 1011, ack: 5001)  // FIN after 10 unseen bytes
        let first = h.tcp(0.4, s, c, .ack, seq: 5001, ack: 1012)
        XCTAssertFalse(h.kinds(from: first).contains { $0.hasPrefix("contentGap") || $0.hasPrefix("undelivered") })
        h.tcp(0.5, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(3))
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty)
    }

    func testPartialConnectionIgnoresAGapAtSequenceTwo() {
        let h = Harness()
        // Mid-stream start: the client's first packet is a keep-alive-like ACK.
        h.tcp(0, c, s, .ack, seq: 1001, ack: 5001)
        h.tcp(0.1, s, c, .ack, seq: 5001, ack: 1002)  // acks one unseen octet
        XCTAssertFalse(h.kinds().contains { $0.hasPrefix("contentGap") || $0.hasPrefix("undelivered") })
    }

    func testAboveHoleDataWithoutAnyAcks() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1101, ack: 5001, payload: bytes(2000))
        // 4000 bytes from the delivery point (hole included): still tolerated.
        h.tcp(0.4, c, s, [.ack, .psh], seq: 3101, ack: 5001, payload: bytes(1900))
        XCTAssertEqual(h.weirdNames, [])
        h.tcp(0.5, c, s, [.ack, .psh], seq: 5001, ack: 5001, payload: bytes(1000))
        XCTAssertEqual(h.weirdNames, ["above_hole_data_without_any_acks"])
        // Delivery stops for good.
        h.tcp(0.6, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(100))
        XCTAssertTrue(h.tcpChunks(originator: true).isEmpty)
    }

    func testExcessiveDataWithoutFurtherAcks() {
        let h = Harness { $0.tcpExcessiveDataWithoutFurtherAcks = 100 }
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        h.tcp(0.35, s, c, .ack, seq: 5001, ack: 1011)  // some data acked
        h.tcp(0.4, c, s, [.ack, .psh], seq: 1021, ack: 5001, payload: bytes(60))
        XCTAssertEqual(h.weirdNames, [])
        h.tcp(0.5, c, s, [.ack, .psh], seq: 1081, ack: 5001, payload: bytes(60))
        XCTAssertEqual(h.weirdNames, ["excessive_data_without_further_acks"])
    }

    func testDeliveryFromThePacketUntilAcked() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(10))
        guard case .tcpData(let record) = h.records.last!, case .packet = record.bytes else {
            return XCTFail("in-order data should be a slice of the packet")
        }
    }

    func testCloseIsDeferredWhileDataIsPending() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, s, c, [.fin, .ack], seq: 5001, ack: 1001)  // the server closes first
        h.tcp(0.4, c, s, [.ack, .psh], seq: 1001, ack: 5002, payload: bytes(10))
        h.tcp(0.5, c, s, [.ack, .psh], seq: 1021, ack: 5002, payload: bytes(5, start: 20))  // hole 11-20
        h.tcp(0.6, c, s, [.fin, .ack], seq: 1026, ack: 5002)
        XCTAssertFalse(h.events.contains(.finished), "the client's close waits for its data")
        h.tcp(0.7, c, s, [.ack, .psh], seq: 1011, ack: 5002, payload: bytes(10, start: 10))
        XCTAssertEqual(h.tcpChunks(originator: true), [bytes(10), bytes(10, start: 10), bytes(5, start: 20)])
        XCTAssertEqual(h.events.last, .finished, "reported once delivery caught up")
    }
}
