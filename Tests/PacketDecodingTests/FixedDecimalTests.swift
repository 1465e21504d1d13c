#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest
@testable import PacketDecoding

/// `FixedDecimal` must render exactly what C's `%.Nf` prints, ties to even on the
/// exact binary value included; snprintf is the oracle.
final class FixedDecimalTests: XCTestCase {
    private func printf(_ value: Double, decimals: Int) -> String {
        let text = LineBuffer()
        FixedDecimal.appendWithPrintf(value, decimals: decimals, to: text)
        return text.string
    }

    private func assertMatchesPrintf(_ value: Double, decimals: Int = 6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(FixedDecimal.string(value, decimals: decimals), printf(value, decimals: decimals),
                       "value bits \(String(value.bitPattern, radix: 16)), decimals \(decimals)", file: file, line: line)
    }

    func testOracleIsPrintf() {
        XCTAssertEqual(printf(0.0078125, decimals: 6), "0.007812")  // tie → even
        XCTAssertEqual(printf(-0.0, decimals: 6), "-0.000000")
    }

    func testIntegerPathCoversLogValues() {
        // The comparisons below would be vacuous if everything fell back to printf.
        let bytes = LineBuffer()
        for value in [0, -0.0, 1795407885.609747, 0.0000105, -0.25, 0x1p43.nextDown, 1e-300] {
            XCTAssertTrue(FixedDecimal.append(value, decimals: 6, to: bytes), "\(value)")
        }
        for value in [Double.nan, .infinity, 0x1p43, 1e300] {
            XCTAssertFalse(FixedDecimal.append(value, decimals: 6, to: bytes), "\(value)")
        }
    }

    func testKnownValues() {
        XCTAssertEqual(FixedDecimal.string(1795407885.609747), "1795407885.609747")
        XCTAssertEqual(FixedDecimal.string(0), "0.000000")
        XCTAssertEqual(FixedDecimal.string(-0.0), "-0.000000")
        XCTAssertEqual(FixedDecimal.string(-1e-9), "-0.000000")
        XCTAssertEqual(FixedDecimal.string(-0.25), "-0.250000")
        XCTAssertEqual(FixedDecimal.string(0.0000105), "0.000010")
        // Exact ties: a/128 with a odd is k + 1/2 millionths.
        XCTAssertEqual(FixedDecimal.string(1.0 / 128), "0.007812")
        XCTAssertEqual(FixedDecimal.string(3.0 / 128), "0.023438")
        XCTAssertEqual(FixedDecimal.string(0.25, decimals: 1), "0.2")
        XCTAssertEqual(FixedDecimal.string(0.75, decimals: 1), "0.8")
        XCTAssertEqual(FixedDecimal.string(2.5, decimals: 0), "2")
        XCTAssertEqual(FixedDecimal.string(3.5, decimals: 0), "4")
    }

    func testEdgeValuesMatchPrintf() {
        var values: [Double] = [
            0, -0.0, 1, -1, 0.5, 0.4999999, 0.0000005, 0.0000015, 0.0000025, 0.9999995, 0.99999949999,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-300,
            0x1p43, 0x1p43.nextDown, -0x1p43.nextDown, 0x1p52, 0x1p53, 1e15, 1e20, 1e300,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
            1700000000.036664 - 1700000000.036654, 999999.9999995, 1e6 - 0.0000005,
        ]
        for a in stride(from: 1, through: 4001, by: 2) {
            values.append(Double(a) / 128)  // ties at 6 decimals
            values.append(-Double(a) / 128)
            values.append(1_700_000_000 + Double(a) / 128)
            values.append(Double(a) / 4)  // ties at 1 decimal
        }
        for value in values {
            for decimals in [0, 1, 6, 9] { assertMatchesPrintf(value, decimals: decimals) }
        }
    }

    func testRandomValuesMatchPrintf() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<50_000 {
            // Any bit pattern (all exponents, both signs, NaNs) …
            assertMatchesPrintf(Double(bitPattern: next()))
            // … timestamps with microsecond-ish fractions near the rounding boundary …
            let micros = Double(next() % 2_000_000_000_000_000) / 1_000_000
            assertMatchesPrintf(micros)
            assertMatchesPrintf(micros + 0.0000005)
            // … and short durations.
            let duration = Double(next() % 1_000_000_000) / 1e9 * Double(1 << (next() % 20))
            assertMatchesPrintf(duration)
            assertMatchesPrintf(-duration)
            assertMatchesPrintf(duration, decimals: 1)
        }
    }

    func testLineBufferIntegersAndAddresses() {
        let line = LineBuffer(capacity: 1)
        var values: [UInt64] = [0, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 4_294_967_296, .max, .max - 1]
        var power: UInt64 = 1
        for _ in 0..<19 {
            power *= 10
            values += [power - 1, power, power + 1]
        }
        for value in values {
            line.removeAll()
            line.appendDecimal(value)
            XCTAssertEqual(line.string, String(value))
        }
        line.removeAll()
        line.appendDecimal(Int64.min)
        XCTAssertEqual(line.string, String(Int64.min))
        for address in [IPv4Address(0), IPv4Address(127, 0, 0, 1), IPv4Address(255, 255, 255, 255), IPv4Address(10, 200, 3, 40)] {
            line.removeAll()
            line.append(address)
            XCTAssertEqual(line.string, address.description)
        }
    }

    /// The word-at-a-time escaping against a byte-by-byte reference, specials at
    /// every offset of strings longer and shorter than a word.
    func testEscapingMatchesByteByByte() {
        let alphabet: [UInt8] = Array("ab:\\/ é-".utf8)
        var state: UInt64 = 12345
        for length in 0..<40 {
            for _ in 0..<50 {
                var bytes: [UInt8] = []
                for _ in 0..<length {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    bytes.append(alphabet[Int(state >> 33) % alphabet.count])
                }
                var expected: [UInt8] = []
                for byte in bytes {
                    if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "\\") { expected.append(UInt8(ascii: "\\")) }
                    expected.append(byte)
                }
                let line = LineBuffer(capacity: 1)
                line.append(byte: UInt8(ascii: "x"))
                bytes.withUnsafeBufferPointer { line.appendEscaping($0) }
                XCTAssertEqual(Array(line.bytes), [UInt8(ascii: "x")] + expected)
            }
        }
    }
}
