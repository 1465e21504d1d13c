import CaptureIO
import XCTest

/// Hand-built frames through `BPFFilter`: what `port 111` must accept and reject.
final class BPFFilterTests: XCTestCase {
    // MARK: - Frame builders (RFC 791 / 768 / 793 / 8200 layouts, IEEE 802.1Q tags)

    private enum Transport { case udp, tcp }

    private static func ethernet(type: UInt16, vlan: UInt16? = nil) -> [UInt8] {
        var frame: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]
        if let vlan { frame += [0x81, 0x00, UInt8(vlan >> 8), UInt8(vlan & 0xFF)] }
        return frame + [UInt8(type >> 8), UInt8(type & 0xFF)]
    }

    private static func transport(_ kind: Transport, from source: UInt16, to destination: UInt16) -> [UInt8] {
        let ports = [UInt8(source >> 8), UInt8(source & 0xFF), UInt8(destination >> 8), UInt8(destination & 0xFF)]
        switch kind {
        case .udp: return ports + [0, 16, 0, 0] + [0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0]
        case .tcp: return ports + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
        }
    }

    private static func ipv4(_ kind: Transport, from source: UInt16, to destination: UInt16, fragmentOffset: UInt16 = 0) -> [UInt8] {
        let payload = transport(kind, from: source, to: destination)
        let total = UInt16(20 + payload.count)
        let header: [UInt8] = [
            0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0x12, 0x34,
            UInt8(fragmentOffset >> 8), UInt8(fragmentOffset & 0xFF), 64, kind == .udp ? 17 : 6, 0, 0,
            10, 0, 0, 1, 10, 0, 0, 2,
        ]
        return header + payload
    }

    private static func ipv6(_ kind: Transport, from source: UInt16, to destination: UInt16) -> [UInt8] {
        let payload = transport(kind, from: source, to: destination)
        var header: [UInt8] = [0x60, 0, 0, 0, 0, UInt8(payload.count), kind == .udp ? 17 : 6, 64]
        header += [0xFD] + [UInt8](repeating: 0, count: 14) + [1]
        header += [0xFD] + [UInt8](repeating: 0, count: 14) + [2]
        return header + payload
    }

    /// Runs `filter` over `bytes` as one captured packet.
    private func matches(_ filter: BPFFilter, _ bytes: [UInt8], linkType: LinkType = .ethernet, wireLength: UInt32? = nil) -> Bool {
        bytes.withUnsafeBytes { raw in
            filter.matches(CapturedPacket(
                sequence: 0, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0),
                wireLength: wireLength ?? UInt32(raw.count), linkType: linkType, interfaceID: 0, streamOffset: 0, bytes: raw))
        }
    }

    // MARK: - port 111

    func testDefaultExpressionIsTheReferencesCaptureFilter() throws {
        XCTAssertEqual(BPFFilter.defaultExpression, "port 111")
        XCTAssertEqual(try BPFFilter().expression, "port 111")
    }

    func testPort111AcceptsUDPAndTCPInEitherDirection() throws {
        let filter = try BPFFilter()
        for kind in [Transport.udp, .tcp] {
            XCTAssertTrue(matches(filter, Self.ethernet(type: 0x0800) + Self.ipv4(kind, from: 40000, to: 111)), "\(kind) to 111")
            XCTAssertTrue(matches(filter, Self.ethernet(type: 0x0800) + Self.ipv4(kind, from: 111, to: 40000)), "\(kind) from 111")
            XCTAssertTrue(matches(filter, Self.ethernet(type: 0x86DD) + Self.ipv6(kind, from: 40000, to: 111)), "\(kind) over IPv6")
        }
    }

    func testPort111RejectsOtherPortsAndProtocols() throws {
        let filter = try BPFFilter()
        for kind in [Transport.udp, .tcp] {
            XCTAssertFalse(matches(filter, Self.ethernet(type: 0x0800) + Self.ipv4(kind, from: 40000, to: 53)))
            XCTAssertFalse(matches(filter, Self.ethernet(type: 0x0800) + Self.ipv4(kind, from: 1111, to: 1110)), "no substring matches")
            XCTAssertFalse(matches(filter, Self.ethernet(type: 0x0800) + Self.ipv4(kind, from: 0x6F00, to: 0x006F + 1)))
        }
        // ICMP (protocol 1) whose bytes after the IP header happen to hold 111.
        var icmp = Self.ethernet(type: 0x0800) + Self.ipv4(.udp, from: 111, to: 111)
        icmp[14 + 9] = 1
        XCTAssertFalse(matches(filter, icmp))
        // ARP.
        XCTAssertFalse(matches(filter, Self.ethernet(type: 0x0806) + [UInt8](repeating: 0, count: 28)))
    }

    func testVLANTaggedFrameIsRejectedByPlainPort111() throws {
        let tagged = Self.ethernet(type: 0x0800, vlan: 42) + Self.ipv4(.udp, from: 40000, to: 111)
        XCTAssertFalse(matches(try BPFFilter(), tagged), "port 111 looks at the untagged EtherType only")
        // The same bytes do match once the expression asks for the tag: the frame itself is well formed.
        XCTAssertTrue(matches(try BPFFilter(expression: "vlan and port 111"), tagged))
    }

    func testNonFirstFragmentIsRejected() throws {
        // Offset 185 * 8: the bytes where a UDP header would be are payload, not ports.
        let fragment = Self.ethernet(type: 0x0800) + Self.ipv4(.udp, from: 111, to: 111, fragmentOffset: 185)
        XCTAssertFalse(matches(try BPFFilter(), fragment))
    }

    func testShortAndEmptyPacketsAreRejectedWithoutReadingPastCaplen() throws {
        let filter = try BPFFilter()
        let full = Self.ethernet(type: 0x0800) + Self.ipv4(.udp, from: 40000, to: 111)
        XCTAssertTrue(matches(filter, full))
        // Cut before the ports: BPF loads beyond caplen reject the packet.
        XCTAssertFalse(matches(filter, Array(full.prefix(14 + 20 + 1)), wireLength: UInt32(full.count)))
        XCTAssertFalse(matches(filter, [], wireLength: 60))
    }

    func testEmptyExpressionAcceptsEverything() throws {
        let all = try BPFFilter(expression: "")
        XCTAssertTrue(matches(all, Self.ethernet(type: 0x0806)))
        XCTAssertTrue(matches(all, []))
    }

    func testWireLengthIsWhatLenPrimitivesSee() throws {
        let big = try BPFFilter(expression: "greater 1000")
        let frame = Self.ethernet(type: 0x0800) + Self.ipv4(.udp, from: 1, to: 2)
        XCTAssertTrue(matches(big, frame, wireLength: 1500), "caplen 50, wire 1500")
        XCTAssertFalse(matches(big, frame, wireLength: UInt32(frame.count)))
    }

    // MARK: - Errors and link types

    func testBadExpressionThrowsWithExpressionAndLibpcapMessage() {
        for expression in ["port nonsense", "port 111 andd udp", "port 70000"] {
            XCTAssertThrowsError(try BPFFilter(expression: expression), expression) { error in
                guard let error = error as? BPFFilterError else { return XCTFail("\(type(of: error))") }
                XCTAssertEqual(error.expression, expression)
                XCTAssertEqual(error.linkType, .ethernet)
                XCTAssertFalse(error.message.isEmpty)
                XCTAssertTrue(error.description.contains("\"\(expression)\""), error.description)
                XCTAssertTrue(error.description.contains(error.message), error.description)
            }
        }
    }

    func testEachLinkTypeGetsItsOwnProgram() throws {
        let filter = try BPFFilter()
        let ethernet = Self.ethernet(type: 0x0800) + Self.ipv4(.udp, from: 40000, to: 111)
        let raw = Self.ipv4(.udp, from: 40000, to: 111)
        // LINKTYPE_RAW (101) is DLT_RAW 12 on Linux: the IP header starts at byte 0.
        XCTAssertTrue(matches(filter, raw, linkType: .raw))
        XCTAssertFalse(matches(filter, raw, linkType: .ethernet), "read as Ethernet the same bytes are not IP")
        XCTAssertTrue(matches(filter, ethernet, linkType: .ethernet))
        XCTAssertFalse(matches(filter, ethernet, linkType: .raw))
        XCTAssertTrue(matches(filter, raw, linkType: .raw))
        XCTAssertTrue(filter.failures.isEmpty)
    }

    func testLinkTypeWithoutLibpcapSupportNeverMatchesAndIsReported() throws {
        let filter = try BPFFilter()
        let odd = LinkType(rawValue: 4000)
        XCTAssertFalse(matches(filter, Self.ipv4(.udp, from: 111, to: 111), linkType: odd))
        XCTAssertNotNil(filter.failures[odd])
        XCTAssertThrowsError(try filter.prepare(for: odd))
        // The failure does not disturb other link types.
        XCTAssertTrue(matches(filter, Self.ethernet(type: 0x0800) + Self.ipv4(.tcp, from: 111, to: 40000)))
    }
}
