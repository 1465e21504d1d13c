import XCTest
@testable import PacketDecoding

/// §1.3 UDP/TCP header views and the §2.4 option walk.
final class TransportHeaderTests: XCTestCase {
    private func tcp(_ segment: [UInt8], segmentLength: Int? = nil, _ body: (TCPHeader) throws -> Void) throws {
        try segment.withUnsafeBytes { bytes in
            let header = try XCTUnwrap(TCPHeader(bytes, segmentLength: segmentLength ?? segment.count))
            try body(header)
        }
    }

    func testUDPFields() throws {
        let segment = udpSegment(sourcePort: 668, destinationPort: 111, payload: [1, 2, 3], lengthField: 99)
        try segment.withUnsafeBytes { bytes in
            let udp = try XCTUnwrap(UDPHeader(bytes))
            XCTAssertEqual(udp.sourcePort, 668)
            XCTAssertEqual(udp.destinationPort, 111)
            XCTAssertEqual(udp.lengthField, 99)
            XCTAssertEqual(udp.checksumField, UInt16(segment[6]) << 8 | UInt16(segment[7]))
            XCTAssertEqual(Array(udp.payload), [1, 2, 3])
        }
        [UInt8](repeating: 0, count: 7).withUnsafeBytes { XCTAssertNil(UDPHeader($0)) }
    }

    func testTCPFields() throws {
        let segment = tcpSegment(sourcePort: 48134, destinationPort: 111, seq: 0xdead_beef, ack: 0x0102_0304,
                                 flags: [.syn, .ack, .ece], window: 4321, urgent: 77,
                                 options: [2, 4, 0x05, 0xb4, 1, 1, 4, 2], payload: [9, 8, 7])
        try tcp(segment) { h in
            XCTAssertEqual(h.sourcePort, 48134)
            XCTAssertEqual(h.destinationPort, 111)
            XCTAssertEqual(h.sequenceNumber, 0xdead_beef)
            XCTAssertEqual(h.acknowledgmentNumber, 0x0102_0304)
            XCTAssertEqual(h.dataOffset, 7)
            XCTAssertEqual(h.headerLength, 28)
            XCTAssertEqual(h.flags, [.syn, .ack, .ece])
            XCTAssertEqual(h.window, 4321)
            XCTAssertEqual(h.urgentPointer, 77)
            XCTAssertEqual(Array(h.options), [2, 4, 0x05, 0xb4, 1, 1, 4, 2])
            XCTAssertTrue(h.optionsFullyCaptured)
            XCTAssertEqual(Array(h.payload), [9, 8, 7])
            XCTAssertEqual(h.payloadLength, 3)
        }
        [UInt8](repeating: 0, count: 19).withUnsafeBytes { XCTAssertNil(TCPHeader($0, segmentLength: 19)) }
    }

    func testTCPViewsClampToTheCapture() throws {
        let segment = tcpSegment(options: [1, 1, 1, 1, 2, 4, 1, 0], payload: [1, 2, 3, 4, 5])
        // Captured only up to byte 24, but the IP-derived length says 33.
        try tcp(Array(segment.prefix(24)), segmentLength: segment.count) { h in
            XCTAssertEqual(h.headerLength, 28)
            XCTAssertEqual(h.options.count, 4)
            XCTAssertFalse(h.optionsFullyCaptured)
            XCTAssertEqual(h.payload.count, 0)
            XCTAssertEqual(h.payloadLength, 5)
        }
        // A data offset pointing past the segment: negative payload length, empty slices.
        try tcp(tcpSegment(dataOffset: 15), segmentLength: 20) { h in
            XCTAssertEqual(h.payloadLength, -40)
            XCTAssertEqual(h.payload.count, 0)
            XCTAssertEqual(h.options.count, 0)
        }
    }

    func testOptionsParse() throws {
        try tcp(tcpSegment(options: [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0])) { h in
            XCTAssertEqual(h.parseOptions(),
                           .parsed(TCPOptions(maximumSegmentSize: 1460, windowScale: 7, sackPermitted: true)))
        }
        try tcp(tcpSegment()) { h in XCTAssertEqual(h.parseOptions(), .parsed(TCPOptions())) }
        // Everything after EOL is ignored, even garbage.
        try tcp(tcpSegment(options: [0, 3, 0, 0])) { h in XCTAssertEqual(h.parseOptions(), .parsed(TCPOptions())) }
        // A length-1 option of kind ≥ 2 is accepted and advances one byte.
        try tcp(tcpSegment(options: [8, 1, 1, 1])) { h in XCTAssertEqual(h.parseOptions(), .parsed(TCPOptions())) }
        // The last window scale wins (the reference overwrites).
        try tcp(tcpSegment(options: [3, 3, 2, 3, 3, 9, 0, 0])) { h in
            XCTAssertEqual(h.parseOptions(), .parsed(TCPOptions(windowScale: 9)))
        }
        // A kind-3 option of length 2 still reads "its" third byte, the next one.
        try tcp(tcpSegment(options: [3, 2, 5, 1])) { h in
            XCTAssertEqual(h.parseOptions(), .parsed(TCPOptions(windowScale: 5)))
        }
    }

    func testCorruptOptions() throws {
        // Zero length.
        try tcp(tcpSegment(options: [2, 0, 0, 0])) { h in
            XCTAssertEqual(h.parseOptions(), .corrupt)
            XCTAssertEqual(h.parseOptions().weird(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2)),
                           PacketWeird(.corruptTCPOptions, flow12))
        }
        try tcp(tcpSegment(options: [1, 1, 1, 0])) { h in
            XCTAssertNil(h.parseOptions().weird(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2)))
        }
        // Runs past th_off×4.
        try tcp(tcpSegment(options: [1, 2, 4, 5])) { h in XCTAssertEqual(h.parseOptions(), .corrupt) }
        // Kind ≥ 2 in the last byte: no room for its length.
        try tcp(tcpSegment(options: [1, 1, 1, 8])) { h in XCTAssertEqual(h.parseOptions(), .corrupt) }
        // The length byte may not be taken from the payload either.
        try tcp(tcpSegment(options: [1, 1, 1, 8], payload: [4])) { h in XCTAssertEqual(h.parseOptions(), .corrupt) }
    }

    func testOptionsCutByTheSnapLengthAreNotCalledCorrupt() throws {
        let segment = tcpSegment(options: [2, 4, 0x05, 0xb4, 3, 3, 7, 0])
        try tcp(Array(segment.prefix(25)), segmentLength: segment.count) { h in
            XCTAssertEqual(h.parseOptions(), .uncaptured(partial: TCPOptions(maximumSegmentSize: 1460)))
        }
    }
}
