import Connections
import PacketDecoding
import XCTest

/// conn.log rendering (§4.2–§4.4) on hand-made records.
final class ConnLogTests: XCTestCase {
    func summary(_ proto: TransportProtocol, orig: (Int64, UInt8), resp: (Int64, UInt8),
                 origPort: UInt16 = 45746, respPort: UInt16 = 111,
                 start: Double = 1795407887.622736, duration: Double = 0) -> ConnectionSummary {
        ConnectionSummary(
            id: ConnectionID(originator: IPv4Address(127, 0, 0, 1), originatorPort: origPort,
                             responder: IPv4Address(127, 0, 0, 1), responderPort: respPort, proto: proto),
            startTime: start, duration: duration,
            originator: EndpointSummary(size: orig.0, rawState: orig.1),
            responder: EndpointSummary(size: resp.0, rawState: resp.1))
    }

    func testGoldenShapedLines() {
        XCTAssertEqual(ConnLog.line(summary(.udp, orig: (0, 0), resp: (0, 0)), addl: ""),
                       "1795407887.622736 0.000000 127.0.0.1 127.0.0.1 portmap 45746 111 udp ? ? OTH X")
        let sf = summary(.tcp, orig: (60, 5), resp: (32, 5), origPort: 48160,
                         start: 1795407885.610580, duration: 0.093214)
        XCTAssertEqual(ConnLog.line(sf, addl: ""),
                       "1795407885.610580 0.093214 127.0.0.1 127.0.0.1 portmap 48160 111 tcp 60 32 SF X")
        XCTAssertEqual(ConnLog.line(sf, service: "pm_null", addl: "nfs -> 0/tcp @1"),
                       "1795407885.610580 0.093214 127.0.0.1 127.0.0.1 pm_null 48160 111 tcp 60 32 SF X nfs -> 0/tcp @1")
    }

    func testTCPDurationOnlyWithACloseOrReset() {
        let s1 = summary(.tcp, orig: (104, 4), resp: (60, 4), duration: 2.5)
        XCTAssertEqual(ConnLog.line(s1, addl: "").split(separator: " ")[1], "?")
        let s2 = summary(.tcp, orig: (104, 4), resp: (0, 6), duration: 2.5)
        XCTAssertEqual(ConnLog.line(s2, addl: "").split(separator: " ")[1], "2.500000")
    }

    func testByteColumns() {
        // CLOSED prints 0, RESET with 0 prints "?", UDP active with 0 prints "?".
        let line = ConnLog.line(summary(.tcp, orig: (0, 5), resp: (0, 6)), addl: "")
        XCTAssertTrue(line.hasSuffix(" tcp 0 ? RSTR X"), line)
        let udp = ConnLog.line(summary(.udp, orig: (0, 1), resp: (0, 0)), addl: "")
        XCTAssertTrue(udp.hasSuffix(" udp ? ? S0 X"), udp)
        // A negative TCP size is the reference's huge unsigned count.
        let odd = ConnLog.line(summary(.tcp, orig: (-1, 4), resp: (0, 4)), addl: "")
        XCTAssertTrue(odd.contains(" 18446744073709551615 ? S1 "), odd)
    }

    func testEveryTCPStateCode() {
        typealias S = TCPEndpointState
        let cases: [(S, S, Int64, String)] = [
            (.synSent, .reset, 0, "REJ"), (.synAckSent, .reset, 0, "REJ"), (.reset, .reset, 0, "REJ"),
            (.reset, .reset, 5, "RSTR"), (.inactive, .reset, 0, "RSTRH"), (.partial, .reset, 0, "RSTRH"),
            (.established, .reset, 0, "RSTR"), (.reset, .inactive, 0, "RSTOS0"), (.reset, .partial, 0, "RSTOS0"),
            (.reset, .established, 0, "RSTO"), (.closed, .closed, 0, "SF"), (.closed, .inactive, 0, "SH"),
            (.closed, .established, 0, "S2"), (.inactive, .closed, 0, "SHR"), (.established, .closed, 0, "S3"),
            (.synSent, .inactive, 0, "S0"), (.established, .established, 0, "S1"), (.inactive, .inactive, 0, "OTH"),
            (.synAckSent, .inactive, 0, "OTH"), (.partial, .partial, 0, "OTH"), (.synSent, .partial, 0, "OTH"),
        ]
        for (o, r, size, code) in cases {
            XCTAssertEqual(ConnLog.stateCode(for: summary(.tcp, orig: (size, o.rawValue), resp: (0, r.rawValue))),
                           code, "\(o)/\(r)")
        }
    }

    func testUDPStateCodes() {
        XCTAssertEqual(ConnLog.stateCode(for: summary(.udp, orig: (1, 1), resp: (1, 1))), "SF")
        XCTAssertEqual(ConnLog.stateCode(for: summary(.udp, orig: (1, 1), resp: (0, 0))), "S0")
        XCTAssertEqual(ConnLog.stateCode(for: summary(.udp, orig: (0, 0), resp: (1, 1))), "SHR")
        XCTAssertEqual(ConnLog.stateCode(for: summary(.udp, orig: (0, 0), resp: (0, 0))), "OTH")
    }

    func testPortServiceRules() {
        // Rule 4: the responder port's name.
        XCTAssertEqual(ConnLog.portService(for: summary(.udp, orig: (1, 1), resp: (0, 0))), "portmap")
        // Rule 3: silent originator, unnamed responder port, named originator port.
        XCTAssertEqual(ConnLog.portService(for: summary(.udp, orig: (0, 0), resp: (8, 1), origPort: 123, respPort: 40000)), "ntp")
        // ... but not once the originator sent something.
        XCTAssertEqual(ConnLog.portService(for: summary(.udp, orig: (8, 1), resp: (8, 1), origPort: 123, respPort: 40000)), "other")
        XCTAssertEqual(ConnLog.portService(for: summary(.tcp, orig: (0, 0), resp: (0, 0), origPort: 631, respPort: 40000)), "ipp")
    }

    func testFixedSixDigits() {
        XCTAssertEqual(ConnLog.fixed6(1795407885.609747), "1795407885.609747")
        XCTAssertEqual(ConnLog.fixed6(0.0000105), "0.000010")  // as printf rounds the double
        XCTAssertEqual(ConnLog.fixed6(1700000000.036664 - 1700000000.036654), "0.000010")
        XCTAssertEqual(ConnLog.fixed6(0), "0.000000")
        XCTAssertEqual(ConnLog.fixed6(-0.25), "-0.250000")
    }
}
