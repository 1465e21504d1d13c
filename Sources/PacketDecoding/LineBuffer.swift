#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of log text under construction: the logs are written by appending ASCII /
/// UTF-8 straight into one reusable array per file, so a line costs no `String`,
/// no interpolation and no Foundation formatting.
public struct LineBuffer: Sendable {
    /// The text so far.
    public var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    @inlinable public var count: Int { bytes.count }
    @inlinable public var isEmpty: Bool { bytes.isEmpty }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    @inlinable public mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    /// The string's UTF-8 bytes (native strings are copied as one block).
    @inlinable public mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func append(_ text: Substring) {
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func append(bytes other: LineBuffer) {
        bytes.append(contentsOf: other.bytes)
    }

    /// Decimal digits of `value`.
    public mutating func appendDecimal(_ value: UInt64) {
        FixedDecimal.appendDecimal(value, to: &bytes)
    }

    public mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(value.magnitude))
        } else {
            appendDecimal(UInt64(value))
        }
    }

    /// Dotted quad, e.g. `127.0.0.1`.
    public mutating func append(_ address: IPv4Address) {
        let value = address.value
        appendDecimal(UInt64(value >> 24))
        bytes.append(UInt8(ascii: "."))
        appendDecimal(UInt64((value >> 16) & 0xff))
        bytes.append(UInt8(ascii: "."))
        appendDecimal(UInt64((value >> 8) & 0xff))
        bytes.append(UInt8(ascii: "."))
        appendDecimal(UInt64(value & 0xff))
    }

    /// `%.6f` (or `%.Nf` for `decimals` in 0...9) exactly as C's printf renders it.
    public mutating func appendFixed(_ value: Double, decimals: Int = 6) {
        if FixedDecimal.append(value, decimals: decimals, to: &bytes) { return }
        FixedDecimal.appendWithPrintf(value, decimals: decimals, to: &bytes)
    }

    /// The buffer as a `String` (tests, JSON fields).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// Exact `%.Nf` rendering without printf for the values logs carry.
///
/// printf prints the *exact* binary value of the double rounded to N decimals,
/// ties to even. For |v| < 2^43 the scaled value v·10^N = m·10^N·2^e (m the 53-bit
/// significand) fits a UInt128 before the shift, and the bits shifted out decide
/// the rounding exactly. Anything else (NaN, infinities, huge magnitudes) goes
/// to snprintf.
public enum FixedDecimal {
    static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000,
                                        10_000_000, 100_000_000, 1_000_000_000]

    /// Appends `value` rendered with `decimals` fraction digits; false (nothing
    /// appended) when the value is outside the exact integer path.
    public static func append(_ value: Double, decimals: Int, to bytes: inout [UInt8]) -> Bool {
        guard decimals >= 0 && decimals <= 9, value.isFinite, value.magnitude < 0x1p43 else { return false }
        let scale = powersOfTen[decimals]
        let exponentBits = Int(value.exponentBitPattern)
        let significand = value.significandBitPattern | (exponentBits == 0 ? 0 : 1 << 52)
        // value = significand · 2^exponent
        let exponent = (exponentBits == 0 ? 1 : exponentBits) - 1075
        let product = UInt128(significand) * UInt128(scale)
        // |value| < 2^43 with a 53-bit significand: the exponent is negative.
        var rounded: UInt128
        if exponent <= -128 {
            // product < 2^83, far below half a unit (2^(-exponent-1)): rounds to 0.
            rounded = 0
        } else {
            let shift = UInt128(truncatingIfNeeded: -exponent)
            rounded = product >> shift
            let remainder = product & ((1 << shift) - 1)
            let half = UInt128(1) << (shift - 1)
            if remainder > half || (remainder == half && rounded & 1 == 1) { rounded += 1 }
        }
        // Many decimals of a large value: leave those to printf.
        guard rounded <= UInt128(UInt64.max) else { return false }
        let scaled = UInt64(truncatingIfNeeded: rounded)
        // printf keeps the sign of negative values that round to zero (`-0.000000`).
        if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(scaled / scale, to: &bytes)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            var fraction = scaled % scale
            var divisor = scale / 10
            while divisor > 0 {
                bytes.append(UInt8(truncatingIfNeeded: fraction / divisor) &+ 0x30)
                fraction %= divisor
                divisor /= 10
            }
        }
        return true
    }

    /// Decimal digits of `value`.
    public static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits = 2
        var limit: UInt64 = 100
        while digits < 20 && value >= limit {
            digits += 1
            limit &*= 10  // wraps only after the last comparison (20 digits)
        }
        let end = bytes.count + digits
        bytes.append(contentsOf: repeatElement(0x30, count: digits))
        bytes.withUnsafeMutableBufferPointer { text in
            var position = end
            var rest = value
            repeat {
                position -= 1
                text[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
            } while rest != 0
        }
    }

    /// The snprintf rendering (reference semantics for every value).
    public static func appendWithPrintf(_ value: Double, decimals: Int, to bytes: inout [UInt8]) {
        let format = "%.\(decimals)f"
        let needed = withVaList([value]) { vsnprintf(nil, 0, format, $0) }
        guard needed > 0 else { return }
        var text = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = withVaList([value]) { args in
            text.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
        }
        for char in text.prefix(Int(needed)) { bytes.append(UInt8(bitPattern: char)) }
    }

    /// `%.Nf` as a String.
    public static func string(_ value: Double, decimals: Int = 6) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        if !append(value, decimals: decimals, to: &bytes) {
            appendWithPrintf(value, decimals: decimals, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
