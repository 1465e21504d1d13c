import XCTest
@testable import PacketDecoding

/// `likely_server_ports` (§2.2), `port_names` (SEMANTICS-RPC §3.7) and weird id strings.
final class PortTableTests: XCTestCase {
    func testWeirdIDStringSubstitutesPortNames() {
        let id = ConnectionID(originator: IPv4Address(127, 0, 0, 1), originatorPort: 45746,
                              responder: IPv4Address(127, 0, 0, 1), responderPort: 111, proto: .udp)
        XCTAssertEqual(weirdIDString(id), "127.0.0.1/45746 > 127.0.0.1/portmap")
        let client = ConnectionID(originator: IPv4Address(202, 77, 162, 213), originatorPort: 631,
                                  responder: IPv4Address(172, 16, 115, 20), responderPort: 111, proto: .tcp)
        XCTAssertEqual(weirdIDString(client), "202.77.162.213/ipp > 172.16.115.20/portmap")
        // 631 has a name only for TCP; 123 only for UDP.
        let udp631 = ConnectionID(originator: IPv4Address(10, 0, 0, 1), originatorPort: 631,
                                  responder: IPv4Address(10, 0, 0, 2), responderPort: 123, proto: .udp)
        XCTAssertEqual(weirdIDString(udp631), "10.0.0.1/631 > 10.0.0.2/ntp")
    }

    func testWeirdDescriptions() {
        let id = ConnectionID(originator: IPv4Address(127, 0, 0, 1), originatorPort: 56636,
                              responder: IPv4Address(127, 0, 0, 1), responderPort: 111, proto: .udp)
        XCTAssertEqual(PacketWeird(.badUDPChecksum, .connection(id)).description,
                       "127.0.0.1/56636 > 127.0.0.1/portmap: bad_UDP_checksum")
        XCTAssertEqual(PacketWeird(.excessivelySmallFragment,
                                   .flow(source: IPv4Address(172, 20, 19, 7), destination: IPv4Address(172, 16, 9, 4))).description,
                       "172.20.19.7 -> 172.16.9.4: excessively_small_fragment")
        XCTAssertEqual(PacketWeird(.truncatedIP, .net).description, ": truncated_IP")
    }

    func testPortNameTable() {
        let tcp: [UInt16: String] = [
            7: "echo", 9: "discard", 20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 37: "time",
            43: "whois", 53: "dns", 79: "finger", 80: "http", 109: "pop-2", 110: "pop-3", 111: "portmap",
            113: "ident", 119: "nntp", 135: "epmapper", 139: "netbios-ssn", 143: "imap4", 179: "bgp",
            389: "ldap", 443: "https", 445: "smb", 512: "exec", 513: "rlogin", 514: "shell", 515: "printer",
            524: "ncp", 543: "klogin", 544: "kshell", 631: "ipp", 993: "simap", 995: "spop",
            1521: "oracle-sql", 2049: "nfs", 6000: "X11", 6001: "X11", 6667: "IRC",
        ]
        let udp: [UInt16: String] = [53: "dns", 69: "tftp", 111: "portmap", 123: "ntp", 137: "netbios-ns",
                                     138: "netbios-dgm", 161: "snmp", 2049: "nfs"]
        for port in UInt16(0) ... 7000 {
            XCTAssertEqual(PortNames.name(port, .tcp)?.description, tcp[port], "tcp \(port)")
            XCTAssertEqual(PortNames.name(port, .udp)?.description, udp[port], "udp \(port)")
        }
        XCTAssertEqual(PortNames.name(8, .icmp)?.description, "icmp-echo")
        XCTAssertEqual(PortNames.name(0, .icmp)?.description, "icmp-echo")
        XCTAssertEqual(PortNames.name(3, .icmp)?.description, "icmp-unreach")
        XCTAssertNil(PortNames.name(111, .icmp))
        XCTAssertEqual(PortNames.nameOrNumber(65535, .tcp), "65535")
    }

    func testLikelyServerPorts() {
        let tcp: Set<UInt16> = [21, 22, 23, 25, 53, 79, 80, 110, 111, 113, 135, 139, 143, 443, 445, 497, 513, 515, 524,
                                563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 994, 995, 1521, 2049, 3128, 5730,
                                6000, 6001, 6346, 6666, 6667, 8000, 8080, 8436, 8443, 8888, 16384]
        let udp: Set<UInt16> = [53, 111, 123, 137, 138, 161, 427, 2049]
        for port in UInt16(0) ... 20000 {
            XCTAssertEqual(LikelyServerPorts.contains(port, .tcp), tcp.contains(port), "tcp \(port)")
            XCTAssertEqual(LikelyServerPorts.contains(port, .udp), udp.contains(port), "udp \(port)")
            XCTAssertFalse(LikelyServerPorts.contains(port, .icmp))
        }
    }
}
