import Connections
import XCTest

/// One test per TCP conn.log state code (SEMANTICS-CONN §4.3), each built from
/// hand-made packets and checked on the whole conn.log line.
final class TCPStateCodeTests: XCTestCase {
    let c = Host.client, s = Host.server

    func testSFAfterBothFINs() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(40))
        h.tcp(0.4, s, c, [.ack, .psh], seq: 5001, ack: 1041, payload: bytes(28))
        h.tcp(0.5, c, s, [.fin, .ack], seq: 1041, ack: 5029)
        h.tcp(0.6, s, c, [.fin, .ack], seq: 5029, ack: 1042)
        h.tcp(0.7, c, s, .ack, seq: 1042, ack: 5030)
        h.finish()
        // Duration stops at the second FIN (quirk 11): the last ACK is not counted.
        XCTAssertEqual(h.connLines, ["0.000000 0.600000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 40 28 SF X"])
    }

    func testREJWhenTheResponderResetsTheSYN() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1000)
        h.tcp(0.001, s, c, [.rst, .ack], seq: 0, ack: 1001)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 0.001000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? REJ X"])
        XCTAssertTrue(h.events.contains(.rejected))
    }

    func testRSTRHWhenTheOriginatorNeverGotThrough() {
        // Default mode: the client's only packet fails its checksum, so the
        // originator stays INACTIVE; then the server resets.
        let h = Harness(checksums: true)
        h.tcp(0, c, s, .ack, seq: 1000, ack: 1, payload: bytes(10), checksum: .bad)
        h.tcp(0.5, s, c, .rst, seq: 1)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 0.500000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? RSTRH X"])
    }

    func testRSTRAfterDataWhenTheResponderResets() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(52))
        h.tcp(0.4, s, c, [.rst, .ack], seq: 5001, ack: 1053)
        h.finish()
        // RESET with size 0 prints "?" (quirk 12).
        XCTAssertEqual(h.connLines, ["0.000000 0.400000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 52 ? RSTR X"])
    }

    func testRSTOS0FromAPendingSYNFollowedByRST() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1000)
        h.tcp(2, c, s, .rst, seq: 1001)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 2.000000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? RSTOS0 X cc=1"])
        XCTAssertEqual(h.removals.first?.reason, .pendingReset)
        XCTAssertNil(h.removals.first?.slot)
    }

    func testRSTOWhenTheOriginatorResetsAnEstablishedConnection() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.ack, .psh], seq: 1001, ack: 5001, payload: bytes(20))
        h.tcp(0.4, c, s, [.rst, .ack], seq: 1021, ack: 5001)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 0.400000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 20 ? RSTO X"])
    }

    func testSHFromAPendingSYNFollowedByFIN() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1000)
        h.tcp(1.5, c, s, .fin, seq: 1001)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 1.500000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 0 ? SH X cc=1"])
        XCTAssertEqual(h.removals.first?.reason, .pendingFinished)
    }

    func testS2WhenOnlyTheOriginatorCloses() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, c, s, [.fin, .ack], seq: 1001, ack: 5001)
        h.finish()
        // A CLOSED endpoint prints 0 bytes even when it sent nothing (quirk 12).
        XCTAssertEqual(h.connLines, ["0.000000 0.300000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp 0 ? S2 X"])
    }

    func testSHRWhenOnlyTheResponderIsSeenClosing() {
        let h = Harness(checksums: true)
        h.tcp(0, c, s, .ack, seq: 1000, ack: 1, payload: bytes(10), checksum: .bad)
        h.tcp(0.5, s, c, [.fin, .ack], seq: 1, ack: 1000)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 0.500000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? 0 SHR X"])
    }

    func testS3WhenOnlyTheResponderCloses() {
        let h = Harness()
        h.handshake(0)
        h.tcp(0.3, s, c, [.fin, .ack], seq: 5001, ack: 1001)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 0.300000 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? 0 S3 X"])
    }

    func testS0WhenTheSYNAckFailsItsChecksum() {
        // Quirk 3: the initial SYN is never verified; the SYN+ACK is, and fails.
        let h = Harness(checksums: true)
        h.tcp(0, c, s, .syn, seq: 1000, checksum: .bad)
        h.tcp(0.1, s, c, [.syn, .ack], seq: 5000, ack: 1001, checksum: .bad)
        h.finish()
        XCTAssertEqual(h.weirdNames, ["bad_TCP_checksum"])
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? S0 X"])
    }

    func testS0ForAnUnansweredSYNAtTheEnd() {
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1000)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? S0 X cc=1"])
        XCTAssertEqual(h.events, [.attempt])
    }

    func testS1FromTheSYNAckAlone() {
        // Quirk 17: no third ACK needed, and no close means duration "?" (quirk 10).
        let h = Harness()
        h.tcp(0, c, s, .syn, seq: 1000)
        h.tcp(0.1, s, c, [.syn, .ack], seq: 5000, ack: 1001)
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? S1 X"])
        XCTAssertEqual(h.events, [.established])
    }

    func testOTHWhenNothingGotThrough() {
        let h = Harness(checksums: true)
        h.tcp(0, c, s, .ack, seq: 1000, ack: 1, payload: bytes(10), checksum: .bad)
        h.tcp(0.2, s, c, .ack, seq: 1, ack: 1000, payload: bytes(10), checksum: .bad)
        h.finish()
        XCTAssertEqual(h.weirdNames, ["bad_TCP_checksum", "bad_TCP_checksum"])
        XCTAssertEqual(h.connLines, ["0.000000 ? 10.0.0.1 10.0.0.2 portmap 40000 111 tcp ? ? OTH X"])
    }
}
