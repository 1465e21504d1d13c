@testable import CaptureIO
import XCTest

/// pcapng `if_tsresol` arithmetic: exact, truncating, no overflow for any exponent.
final class TimestampResolutionTests: XCTestCase {
    private func split(_ raw: UInt8, _ units: UInt64) -> (UInt64, UInt32) {
        let r = PcapngTimestampResolution(raw: raw).split(units)
        return (r.seconds, r.nanoseconds)
    }

    func testDecimalResolutions() {
        XCTAssertTrue(split(0, 1_700_000_000) == (1_700_000_000, 0))
        XCTAssertTrue(split(3, 1_700_000_000_123) == (1_700_000_000, 123_000_000))
        XCTAssertTrue(split(6, 1_700_000_000_123_456) == (1_700_000_000, 123_456_000))
        XCTAssertTrue(split(9, 1_700_000_000_123_456_789) == (1_700_000_000, 123_456_789))
        // Finer than a nanosecond: truncated, not rounded.
        XCTAssertTrue(split(12, 1_700_000_123_456_789_999) == (1_700_000, 123_456_789))
        XCTAssertTrue(split(19, UInt64.max) == (1, 844_674_407))
        XCTAssertTrue(split(20, UInt64.max) == (0, 184_467_440))
        XCTAssertTrue(split(127, UInt64.max) == (0, 0))
    }

    func testBinaryResolutions() {
        XCTAssertTrue(split(0x80, 12345) == (12345, 0))
        // 2^-20 s = 953.67431640625 ns.
        XCTAssertTrue(split(0x80 | 20, 1) == (0, 953))
        XCTAssertTrue(split(0x80 | 20, (7 << 20) | (1 << 19)) == (7, 500_000_000))
        XCTAssertTrue(split(0x80 | 20, (1 << 20) - 1) == (0, 999_999_046))
        // 2^-32: the fraction needs a 128-bit product.
        XCTAssertTrue(split(0x80 | 32, (5 << 32) | 0xFFFF_FFFF) == (5, 999_999_999))
        XCTAssertTrue(split(0x80 | 63, UInt64.max) == (1, 999_999_999))
        // 2^-64 and finer: always below one second.
        XCTAssertTrue(split(0x80 | 64, UInt64.max) == (0, 999_999_999))
        XCTAssertTrue(split(0x80 | 127, UInt64.max) == (0, 0))
    }

    func testEveryResolutionStaysInRange() {
        for raw in 0...255 {
            for units: UInt64 in [0, 1, 999, 1 << 40, UInt64.max] {
                XCTAssertLessThan(split(UInt8(raw), units).1, 1_000_000_000, "resolution \(raw) units \(units)")
            }
        }
    }
}
