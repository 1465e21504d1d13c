import CaptureIO
import XCTest

/// Corrupt pcap records whose fraction field is out of range: the excess
/// carries into the seconds (the reference computes `tv_sec + tv_usec / 1e6`),
/// with no 32-bit wrap-around on the way.
final class PcapFractionOverflowTests: XCTestCase {
    private func timestamp(magic: UInt32, seconds: UInt32, fraction: UInt32) throws -> CaptureTimestamp {
        var file: [UInt8] = []
        func put(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { file += $0 } }
        func put16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { file += $0 } }
        put(magic); put16(2); put16(4); put(0); put(0); put(65535); put(1)
        put(seconds); put(fraction); put(1); put(1); file.append(0xAB)
        return try file.withUnsafeBytes { raw in
            let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: "fraction"))
            return try XCTUnwrap(try reader.next()).timestamp
        }
    }

    func testMicrosecondsAboveOneSecondCarry() throws {
        XCTAssertEqual(try timestamp(magic: 0xA1B2_C3D4, seconds: 100, fraction: 2_500_000),
                       CaptureTimestamp(seconds: 102, nanoseconds: 500_000_000))
    }

    func testMicrosecondsThatWouldWrapIn32BitsCarry() throws {
        // 5_000_000 µs * 1000 exceeds UInt32.max: must still be exactly +5 s.
        XCTAssertEqual(try timestamp(magic: 0xA1B2_C3D4, seconds: 100, fraction: 5_000_000),
                       CaptureTimestamp(seconds: 105, nanoseconds: 0))
        XCTAssertEqual(try timestamp(magic: 0xA1B2_C3D4, seconds: 0, fraction: UInt32.max),
                       CaptureTimestamp(seconds: 4_294, nanoseconds: 967_295_000))
    }

    func testNanosecondsAboveOneSecondCarry() throws {
        XCTAssertEqual(try timestamp(magic: 0xA1B2_3C4D, seconds: 7, fraction: UInt32.max),
                       CaptureTimestamp(seconds: 11, nanoseconds: 294_967_295))
    }
}
