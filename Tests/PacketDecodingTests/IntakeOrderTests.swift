import CaptureIO
import XCTest
@testable import PacketDecoding

/// §1.2 link layers and §1.3 steps 2–7, each step and the order between them.
final class IntakeOrderTests: XCTestCase {
    private func udpPacket(_ configure: (inout IPv4Builder) -> Void = { _ in }) -> [UInt8] {
        var ip = IPv4Builder()
        ip.payload = udpSegment()
        configure(&ip)
        return ip.bytes()
    }

    func testEveryReferenceLinkTypeSkipsItsFixedHeaderWithoutReadingIt() {
        let ip = udpPacket()
        for (raw, length) in [(UInt32(0), 4), (1, 14), (10, 21), (113, 16), (101, 0), (12, 0)] {
            let type = LinkType(rawValue: raw)
            XCTAssertEqual(LinkLayer.headerLength(type), length)
            let decoder = PacketDecoder()
            let outcome = decoder.run(linkHeader(type) + ip, linkType: type)
            guard case .datagram(let transport, let len, _, let payload, _) = outcome.kind else {
                return XCTFail("link type \(raw): \(outcome)")
            }
            XCTAssertEqual(transport, .udp)
            XCTAssertEqual(len, 20)
            XCTAssertEqual(payload, udpSegment())
            XCTAssertEqual(outcome.weirds, [])
        }
    }

    func testOtherLinkTypesAreRefused() {
        for raw: UInt32 in [14, 108, 228, 127, 9] {
            let decoder = PacketDecoder()
            let outcome = decoder.run(udpPacket(), linkType: LinkType(rawValue: raw))
            XCTAssertEqual(outcome.kind, .unknownLinkType(LinkType(rawValue: raw)))
            XCTAssertEqual(decoder.counters.unknownLinkType, 1)
            XCTAssertNil(LinkLayer.headerLength(LinkType(rawValue: raw)))
        }
    }

    func testFrameShorterThanItsLinkHeaderIsTruncatedIP() {
        let decoder = PacketDecoder()
        let outcome = decoder.run([1, 2, 3], linkType: .linuxSLL)
        XCTAssertEqual(outcome.kind, .weird(PacketWeird(.truncatedIP, net)))
        XCTAssertEqual(outcome.weirds, [PacketWeird(.truncatedIP, net)])
    }

    func testStep2FewerThan20BytesIsTruncatedIPBeforeTheVersionIsLookedAt() {
        let decoder = PacketDecoder()
        var short = udpPacket { $0.version = 6 }
        short = Array(short.prefix(19))
        XCTAssertEqual(decoder.run(ip: short, wireLength: 200).kind, .weird(PacketWeird(.truncatedIP, net)))
        XCTAssertEqual(decoder.counters.truncatedIP, 1)
    }

    func testStep2VersionOtherThan4IsNonIPv4() {
        let decoder = PacketDecoder()
        for version: UInt8 in [6, 0, 5, 15] {
            XCTAssertEqual(decoder.run(ip: udpPacket { $0.version = version }).kind,
                           .weird(PacketWeird(.nonIPv4Packet, net)))
        }
        XCTAssertEqual(decoder.counters.nonIPv4, 4)
    }

    func testStep2VersionBeatsWireLengthCheck() {
        let decoder = PacketDecoder()
        let packet = udpPacket { $0.version = 6; $0.totalLength = 1000 }
        XCTAssertEqual(decoder.run(ip: packet).kind, .weird(PacketWeird(.nonIPv4Packet, net)))
    }

    func testStep3WireLengthBelowIPLengthIsTruncatedIP() {
        let decoder = PacketDecoder()
        let packet = udpPacket()
        XCTAssertEqual(decoder.run(ip: packet, wireLength: packet.count - 1).kind,
                       .weird(PacketWeird(.truncatedIP, net)))
    }

    func testStep3SnapLengthCutIsNotTruncatedIP() {
        // caplen < ip_len but wirelen == ip_len: passes step 3 and reaches the transport.
        let decoder = PacketDecoder()
        let packet = udpPacket()
        let outcome = decoder.run(ip: Array(packet.prefix(30)), wireLength: packet.count)
        guard case .datagram(_, let len, let captured, let payload, _) = outcome.kind else { return XCTFail("\(outcome)") }
        XCTAssertEqual(len, 20)
        XCTAssertEqual(captured, 10)
        XCTAssertEqual(payload.count, 10)
    }

    func testStep3TruncationBeatsABadHeaderChecksum() {
        let decoder = PacketDecoder()
        let packet = udpPacket { $0.checksumError = 7 }
        XCTAssertEqual(decoder.run(ip: packet, wireLength: packet.count - 4).kind,
                       .weird(PacketWeird(.truncatedIP, net)))
        XCTAssertEqual(decoder.counters.badIPChecksum, 0)
    }

    func testStep4BadHeaderChecksumUnlessChecksumsAreDisabled() {
        let packet = udpPacket { $0.checksumError = 1 }
        let checking = PacketDecoder()
        XCTAssertEqual(checking.run(ip: packet).kind, .weird(PacketWeird(.badIPChecksum, net)))
        XCTAssertEqual(checking.counters.badIPChecksum, 1)
        let trusting = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: false))
        guard case .datagram = trusting.run(ip: packet).kind else { return XCTFail() }
    }

    func testStep4ChecksumCoversIPOptions() {
        var options = udpPacket { $0.options = [1, 1, 1, 0] }
        XCTAssertEqual(options[0] & 0x0f, 6)
        guard case .datagram = PacketDecoder().run(ip: options).kind else { return XCTFail() }
        options[22] ^= 0x40  // flip an option bit: the sum no longer verifies
        XCTAssertEqual(PacketDecoder().run(ip: options).kind, .weird(PacketWeird(.badIPChecksum, net)))
    }

    func testStep4HeaderLongerThanTheCaptureCountsAsBadChecksum() {
        // IHL 15 (60 bytes) but only 40 bytes captured: the sum cannot be computed.
        let packet = udpPacket { $0.options = Array(repeating: 1, count: 40) }
        XCTAssertEqual(packet[0] & 0x0f, 15)
        let decoder = PacketDecoder()
        XCTAssertEqual(decoder.run(ip: Array(packet.prefix(40)), wireLength: packet.count).kind,
                       .weird(PacketWeird(.badIPChecksum, net)))
        XCTAssertEqual(decoder.counters.ipHeaderBeyondCapture, 1)
        // With -C the packet gets to step 7, where nothing of the transport was captured.
        let trusting = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: false))
        XCTAssertEqual(trusting.run(ip: Array(packet.prefix(40)), wireLength: packet.count).kind,
                       .weird(PacketWeird(.internallyTruncatedHeader, net)))
    }

    func testStep5OtherProtocolsAreIgnoredSilentlyButOnlyAfterTheChecksum() {
        let decoder = PacketDecoder()
        let gre = udpPacket { $0.protocolNumber = 47 }
        let outcome = decoder.run(ip: gre)
        XCTAssertEqual(outcome.kind, .ignored(.unsupportedProtocol(47)))
        XCTAssertEqual(outcome.weirds, [])
        XCTAssertEqual(decoder.run(ip: udpPacket { $0.protocolNumber = 47; $0.checksumError = 3 }).kind,
                       .weird(PacketWeird(.badIPChecksum, net)))
        XCTAssertEqual(decoder.counters.unsupportedProtocol, 1)
    }

    func testStep5ProtocolCheckComesBeforeFragmentHandling() {
        let decoder = PacketDecoder()
        let fragment = udpPacket { $0.protocolNumber = 50; $0.fragmentField = 0x2000 }
        XCTAssertEqual(decoder.run(ip: fragment).kind, .ignored(.unsupportedProtocol(50)))
        XCTAssertEqual(decoder.reassembler.counters.fragments, 0)
    }

    func testStep7TransportShorterThanItsMinimumHeaderIsTruncatedHeader() {
        let decoder = PacketDecoder()
        XCTAssertEqual(decoder.run(ip: udpPacket { $0.payload = [0, 111, 0, 111] }).kind,
                       .weird(PacketWeird(.truncatedHeader, net)))
        let tcp12 = udpPacket { $0.protocolNumber = 6; $0.payload = Array(tcpSegment().prefix(12)) }
        XCTAssertEqual(decoder.run(ip: tcp12).kind, .weird(PacketWeird(.truncatedHeader, net)))
        let icmp7 = udpPacket { $0.protocolNumber = 1; $0.payload = [8, 0, 0, 0, 0, 0, 0] }
        XCTAssertEqual(decoder.run(ip: icmp7).kind, .weird(PacketWeird(.truncatedHeader, net)))
        XCTAssertEqual(decoder.counters.truncatedHeader, 3)
    }

    func testStep7IPLengthBelowHeaderLengthIsTruncatedHeader() {
        // The reference's unsigned `len` would wrap here; we treat it as too short.
        let decoder = PacketDecoder()
        XCTAssertEqual(decoder.run(ip: udpPacket { $0.totalLength = 16 }).kind,
                       .weird(PacketWeird(.truncatedHeader, net)))
    }

    func testStep7CapturedShorterThanMinimumIsInternallyTruncated() {
        let decoder = PacketDecoder()
        let tcp = udpPacket { $0.protocolNumber = 6; $0.payload = tcpSegment() }
        let outcome = decoder.run(ip: Array(tcp.prefix(20 + 19)), wireLength: tcp.count)
        XCTAssertEqual(outcome.kind, .weird(PacketWeird(.internallyTruncatedHeader, net)))
        XCTAssertEqual(decoder.counters.internallyTruncatedHeader, 1)
    }

    func testStep7LengthCheckBeatsCaptureCheck() {
        // Both too short on the wire and cut by the snap length: the length check wins.
        let decoder = PacketDecoder()
        let packet = udpPacket { $0.payload = [0, 1, 0, 111, 0] }
        XCTAssertEqual(decoder.run(ip: Array(packet.prefix(22)), wireLength: packet.count).kind,
                       .weird(PacketWeird(.truncatedHeader, net)))
    }

    func testEthernetPaddingIsNotPayload() {
        let decoder = PacketDecoder()
        let packet = udpPacket() + [0, 0, 0, 0, 0, 0]
        let outcome = decoder.run(ip: packet)
        guard case .datagram(_, let len, let captured, let payload, _) = outcome.kind else { return XCTFail() }
        XCTAssertEqual(len, 20)
        XCTAssertEqual(captured, 26)
        XCTAssertEqual(payload, udpSegment())
    }

    func testDatagramFields() throws {
        let decoder = PacketDecoder()
        var builder = IPv4Builder()
        builder.source = IPv4Address(172, 16, 0, 7)
        builder.destination = IPv4Address(192, 168, 1, 9)
        builder.options = [0x94, 0x04, 0, 0]  // router alert
        builder.identification = 0xbeef
        builder.timeToLive = 3
        builder.fragmentField = 0x4000
        builder.payload = udpSegment(source: builder.source, destination: builder.destination)
        let bytes = linkHeader(.ethernet) + builder.bytes()
        try withPacket(bytes) { packet in
            guard case .datagram(let d) = decoder.decode(packet) else { return XCTFail() }
            XCTAssertEqual(d.source, IPv4Address(172, 16, 0, 7))
            XCTAssertEqual(d.destination, IPv4Address(192, 168, 1, 9))
            XCTAssertEqual(d.transport, .udp)
            XCTAssertEqual(d.headerLength, 24)
            XCTAssertEqual(d.totalLength, 44)
            XCTAssertEqual(d.length, 20)
            XCTAssertEqual(d.capturedLength, 20)
            XCTAssertTrue(d.isFullyCaptured)
            XCTAssertFalse(d.isReassembled)
            XCTAssertEqual(d.identification, 0xbeef)
            XCTAssertEqual(d.timeToLive, 3)
            XCTAssertEqual(d.fragmentField, 0x4000)  // DF alone is not a fragment
            XCTAssertEqual(d.header.count, 24)
            XCTAssertEqual(d.ports?.source, 45746)
            XCTAssertEqual(d.ports?.destination, 111)
            let udp = try XCTUnwrap(d.udp)
            XCTAssertNil(d.tcp)
            XCTAssertEqual(udp.lengthField, 20)
            XCTAssertEqual(d.verifyTransportChecksum(), .valid)
        }
        XCTAssertEqual(decoder.counters.datagrams, 1)
        XCTAssertEqual(decoder.counters.packets, 1)
    }

    func testWeirdsAreClearedBetweenPackets() {
        let decoder = PacketDecoder()
        _ = decoder.run(ip: udpPacket { $0.version = 6 })
        XCTAssertEqual(decoder.weirds.count, 1)
        _ = decoder.run(ip: udpPacket())
        XCTAssertEqual(decoder.weirds, [])
    }
}
