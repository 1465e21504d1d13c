import Connections
import XCTest

/// UDP connections (SEMANTICS-CONN §2.3) and their conn.log lines.
final class UDPTests: XCTestCase {
    let c = Host.client, s = Host.server

    func testSFAndRetransmissionsCountTwice() {
        // Quirk 13: bytes are the sum of UDP length fields, retransmissions included.
        let h = Harness()
        h.udp(0, c, s, payload: bytes(40))
        h.udp(0.000010, c, s, payload: bytes(40))
        h.udp(0.000020, s, c, payload: bytes(24))
        h.finish()
        XCTAssertEqual(h.connLines, ["0.000000 0.000020 10.0.0.1 10.0.0.2 portmap 40000 111 udp 80 24 SF X"])
        XCTAssertEqual(h.udpPayloads(), [bytes(40), bytes(40), bytes(24)])
    }

    func testS0ForAnUnansweredCall() {
        let h = Harness()
        h.udp(5, c, s, payload: bytes(56))
        h.finish()
        XCTAssertEqual(h.connLines, ["5.000000 0.000000 10.0.0.1 10.0.0.2 portmap 40000 111 udp 56 ? S0 X"])
        // Removed by the RPC expiry timer at the end of the trace.
        XCTAssertEqual(h.removals.map(\.reason), [.rpcExpiry])
    }

    func testBadChecksumStillCreatesTheConnectionButCountsNothing() {
        // Quirk 2.
        let h = Harness(checksums: true)
        h.udp(1, c, s, payload: bytes(60), checksum: .bad)
        h.udp(2, c, s, payload: bytes(60), checksum: .bad)
        h.finish()
        XCTAssertEqual(h.weirdNames, ["bad_UDP_checksum", "bad_UDP_checksum"])
        XCTAssertEqual(h.connLines, ["1.000000 0.000000 10.0.0.1 10.0.0.2 portmap 40000 111 udp ? ? OTH X"])
        XCTAssertTrue(h.udpPayloads().isEmpty)
    }

    func testStartFromAFailedPacketDurationFromGoodOnes() {
        // Quirk 4: start time from a checksum-failed packet, duration from later good ones.
        let h = Harness(checksums: true)
        h.udp(10, s, c, payload: bytes(28), checksum: .bad)
        h.udp(10.000010, s, c, payload: bytes(28))
        h.finish()
        XCTAssertEqual(h.connLines.count, 1)
        XCTAssertTrue(h.connLines[0].hasPrefix("10.000000 0.000010 "), h.connLines[0])
        XCTAssertTrue(h.connLines[0].hasSuffix(" udp ? 28 SHR X"), h.connLines[0])
    }

    func testZeroChecksumIsNotVerified() {
        let h = Harness(checksums: true)
        h.udp(0, c, s, payload: bytes(12), checksum: .zero)
        h.finish()
        XCTAssertEqual(h.weirdNames, [])
        XCTAssertEqual(h.udpPayloads(), [bytes(12)])
    }

    func testTruncatedDatagramIsNotVerifiedNorForwarded() {
        let h = Harness(checksums: true)
        h.udp(0, c, s, payload: bytes(100), checksum: .bad, capturedPayload: 20)
        h.finish()
        XCTAssertEqual(h.weirdNames, [])
        XCTAssertTrue(h.udpPayloads().isEmpty)
        XCTAssertEqual(h.connLines, ["0.000000 0.000000 10.0.0.1 10.0.0.2 portmap 40000 111 udp 100 ? S0 X"])
    }

    func testLengthMismatchWeirdAndBytesFromTheLengthField() {
        let h = Harness()
        h.udp(0, c, s, payload: bytes(32), udpLength: 36)
        h.finish()
        XCTAssertEqual(h.weirdNames, ["UDP_datagram_length_mismatch(36!=40)"])
        // The byte count follows the UDP header's length field; the payload the
        // RPC layer sees follows the IP length.
        XCTAssertEqual(h.connLines, ["0.000000 0.000000 10.0.0.1 10.0.0.2 portmap 40000 111 udp 28 ? S0 X"])
        XCTAssertEqual(h.udpPayloads(), [bytes(32)])
    }

    func testReplyFirstFlowIsFlippedWithoutRPC() {
        // Quirk 9: an unsolicited reply from 111/udp. The reference logged garbage
        // endpoints; the roles follow the unbuggy rule, everything else as it did.
        let h = Harness()
        h.udp(3, s, c, payload: bytes(28))
        h.udp(3.5, c, s, payload: bytes(40))
        h.finish()
        XCTAssertTrue(h.udpPayloads().isEmpty, "no RPC analyzer on a flipped flow")
        XCTAssertEqual(h.connLines, ["3.000000 0.500000 10.0.0.1 10.0.0.2 portmap 40000 111 udp ? 68 SHR X"])
        XCTAssertEqual(h.removals.map(\.reason), [.endOfTrace], "no 24 s RPC expiry")
    }

    func testPayloadHookOnlyForResponderPort111() {
        let h = Harness()
        let other = Host(address: Host.server.address, port: 2049)
        h.udp(0, Host(address: Host.client.address, port: 111), other, payload: bytes(8))
        h.finish()
        XCTAssertTrue(h.udpPayloads().isEmpty)
        XCTAssertEqual(h.removals.count, 1)
    }

    func testUDPStateCodesPerEndpointActivity() {
        let h = Harness(checksums: true)
        h.udp(0, c, s, payload: [])  // orig active with 0 bytes
        h.finish()
        // An active endpoint with empty datagrams still prints "?".
        XCTAssertEqual(h.connLines, ["0.000000 0.000000 10.0.0.1 10.0.0.2 portmap 40000 111 udp ? ? S0 X"])
    }
}
