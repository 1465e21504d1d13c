import CaptureIO
import XCTest
@testable import PacketDecoding

/// §1.4 checksums: the wide summation against the scalar reference, and the
/// transport rules (pseudo-header length, odd padding, UDP zero, capture condition).
final class ChecksumTests: XCTestCase {
    /// Deterministic generator so a failure can be reproduced.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return FlowKey.mix(state)
        }
    }

    func testWideSumMatchesScalarReferenceForEveryLengthAndOffset() {
        var rng = SplitMix(state: 42)
        let pool = (0 ..< 2100).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
        pool.withUnsafeBytes { all in
            for length in 0 ... 2000 {
                let offset = Int.random(in: 0 ..< 64, using: &rng)
                let slice = UnsafeRawBufferPointer(rebasing: all[offset ..< offset + length])
                let expected = InternetChecksum.referenceSum(slice)
                let wide = InternetChecksum.wireOrder(InternetChecksum.fold(InternetChecksum.add(slice)))
                if wide != expected {
                    XCTFail("length \(length) offset \(offset): \(wide) != \(expected)")
                    return
                }
                // Chaining two parts (even split) equals summing the whole.
                let cut = (length / 2) & ~1
                let chained = InternetChecksum.add(UnsafeRawBufferPointer(rebasing: slice[cut...]),
                                                   to: InternetChecksum.add(UnsafeRawBufferPointer(rebasing: slice[..<cut])))
                XCTAssertEqual(InternetChecksum.wireOrder(InternetChecksum.fold(chained)), expected)
            }
        }
    }

    func testAllOnesAndLongBuffersDoNotOverflowTheLanes() {
        // 0xffff words maximise every lane; 1 MiB crosses the lane flush interval.
        let ones = [UInt8](repeating: 0xff, count: 1 << 20)
        let zeros = [UInt8](repeating: 0, count: 4099)
        ones.withUnsafeBytes {
            XCTAssertEqual(InternetChecksum.fold(InternetChecksum.add($0)), InternetChecksum.referenceSum($0))
            XCTAssertEqual(InternetChecksum.fold(InternetChecksum.add($0)), 0xffff)
        }
        zeros.withUnsafeBytes { XCTAssertEqual(InternetChecksum.fold(InternetChecksum.add($0)), 0) }
    }

    func testRFC1071Example() {
        // RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        let bytes: [UInt8] = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]
        bytes.withUnsafeBytes {
            XCTAssertEqual(InternetChecksum.referenceSum($0), 0xddf2)
            XCTAssertEqual(InternetChecksum.wireOrder(InternetChecksum.fold(InternetChecksum.add($0))), 0xddf2)
        }
    }

    func testHeaderWithItsChecksumVerifiesAndABitFlipDoesNot() {
        // Fields of a portmap call header; the checksum is filled in by the scalar
        // reference, then one TTL bit is flipped. (Real corpus headers: CorpusTests.)
        var header: [UInt8] = [0x45, 0x00, 0x00, 0x54, 0x5c, 0x6a, 0x00, 0x00, 0x40, 0x11,
                               0x00, 0x00, 0xca, 0x4d, 0xa2, 0xd5, 0xac, 0x10, 0x73, 0x57]
        let checksum = ~header.withUnsafeBytes { InternetChecksum.referenceSum($0) }
        header[10] = UInt8(checksum >> 8); header[11] = UInt8(checksum & 0xff)
        header.withUnsafeBytes { XCTAssertTrue(InternetChecksum.verifies(InternetChecksum.add($0))) }
        header[8] ^= 0x01
        header.withUnsafeBytes { XCTAssertFalse(InternetChecksum.verifies(InternetChecksum.add($0))) }
    }

    private func verdict(_ ip: IPv4Builder, wireLength: Int? = nil, capture: Int? = nil) -> TransportChecksumVerdict? {
        let frame = linkHeader(.ethernet) + ip.bytes()
        let captured = capture.map { Array(frame.prefix(14 + $0)) } ?? frame
        return withPacket(captured, wireLength: wireLength.map { $0 + 14 } ?? frame.count) { packet in
            guard case .datagram(let d) = PacketDecoder().decode(packet) else { return nil }
            return d.verifyTransportChecksum()
        }
    }

    func testUDPChecksumVerdicts() {
        var ip = IPv4Builder()
        ip.payload = udpSegment()
        XCTAssertEqual(verdict(ip), .valid)
        ip.payload = udpSegment(checksum: .broken)
        XCTAssertEqual(verdict(ip), .invalid)
        ip.payload = udpSegment(checksum: .zero)
        XCTAssertEqual(verdict(ip), .absent)
        // A broken checksum is not looked at when the datagram was cut by the snap length.
        ip.payload = udpSegment(checksum: .broken)
        XCTAssertEqual(verdict(ip, wireLength: 40, capture: 39), .notCapturedInFull)
    }

    func testOddLengthsArePaddedWithZero() {
        for size in [1, 3, 7, 13] {
            var ip = IPv4Builder()
            ip.payload = udpSegment(payload: Array(repeating: 0x5a, count: size))
            XCTAssertEqual(verdict(ip), .valid, "size \(size)")
            ip.protocolNumber = 6
            ip.payload = tcpSegment(flags: [.ack, .psh], payload: Array(repeating: 0xa5, count: size))
            XCTAssertEqual(verdict(ip), .valid, "size \(size)")
        }
    }

    func testPseudoHeaderUsesTheIPDerivedLengthNotTheUDPLengthField() {
        var ip = IPv4Builder()
        // Length field says 16 but the datagram carries 20 bytes; checksum over 20 with length 20.
        ip.payload = udpSegment(lengthField: 16)
        XCTAssertEqual(verdict(ip), .valid)
        // Checksum computed with the length field in the pseudo-header does not verify.
        var segment = udpSegment(lengthField: 16, checksum: .zero)
        let wrong = transportChecksum(segment, proto: 17, source: ip.source, destination: ip.destination, length: 16)
        put16(&segment, 6, wrong)
        ip.payload = segment
        XCTAssertEqual(verdict(ip), .invalid)
    }

    func testTCPChecksumVerdicts() {
        var ip = IPv4Builder()
        ip.protocolNumber = 6
        ip.payload = tcpSegment(flags: [.ack], options: [2, 4, 5, 0xb4], payload: [1, 2, 3, 4])
        XCTAssertEqual(verdict(ip), .valid)
        ip.payload = tcpSegment(flags: [.ack], payload: [1, 2, 3, 4], checksum: .broken)
        XCTAssertEqual(verdict(ip), .invalid)
        // TCP has no "no checksum" value: zero is just wrong.
        ip.payload = tcpSegment(flags: [.ack], payload: [1, 2, 3, 4], checksum: .zero)
        XCTAssertEqual(verdict(ip), .invalid)
        XCTAssertEqual(verdict(ip, wireLength: ip.bytes().count, capture: 40), .notCapturedInFull)
    }

    func testChecksumIsOverTheDatagramNotTheEthernetPadding() {
        var ip = IPv4Builder()
        ip.payload = udpSegment()
        let frame = linkHeader(.ethernet) + ip.bytes() + [9, 9, 9, 9]
        withPacket(frame) { packet in
            guard case .datagram(let d) = PacketDecoder().decode(packet) else { return XCTFail() }
            XCTAssertEqual(d.verifyTransportChecksum(), .valid)
        }
    }
}
