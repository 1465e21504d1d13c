#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of log text under construction: the logs are written by appending ASCII /
/// UTF-8 straight into one reusable buffer per file, so a line costs no `String`,
/// no interpolation and no Foundation formatting.
///
/// A class over raw memory: an append is a capacity check and a store (no array
/// uniqueness checks), and every writer keeps one instance for the whole run.
/// Not thread-safe; each owner confines its buffer to one thread.
public final class LineBuffer {
    @usableFromInline @exclusivity(unchecked) var start: UnsafeMutablePointer<UInt8>
    @usableFromInline @exclusivity(unchecked) var capacity: Int
    @usableFromInline @exclusivity(unchecked) var used = 0
    /// Bytes written so far.
    @inlinable public var count: Int { used }

    public init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    @inlinable public var isEmpty: Bool { used == 0 }

    /// The text so far (valid until the next append or `removeAll`).
    @inlinable public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: used) }

    /// The buffer as a `String`.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    @inlinable public func removeAll() { used = 0 }

    /// Makes room for `extra` more bytes.
    @inlinable @inline(__always)
    func reserve(_ extra: Int) {
        if used + extra > capacity { grow(used + extra) }
    }

    @usableFromInline
    func grow(_ minimum: Int) {
        let newCapacity = Swift.max(minimum, capacity * 2)
        let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStart.update(from: start, count: used)
        start.deallocate()
        start = newStart
        capacity = newCapacity
    }

    @inlinable public func append(byte: UInt8) {
        reserve(1)
        start[used] = byte
        used += 1
    }

    public func append(_ text: UnsafeBufferPointer<UInt8>) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        reserve(text.count)
        (start + used).update(from: base, count: text.count)
        used += text.count
    }

    /// `text` with a backslash before each `\\` and `:` (the reference's
    /// `string_escape(val, ":")`; both are ASCII, so bytes escape like scalars).
    public func appendEscaping(_ text: UnsafeBufferPointer<UInt8>) {
        guard let source = text.baseAddress else { return }
        reserve(text.count * 2)
        var position = used
        var index = 0
        // Eight bytes at a time: a word holding neither byte (SWAR zero-byte test on
        // the word XOR each pattern) is copied whole, others byte by byte.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= text.count {
            let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
            let colons = word ^ (ones &* 0x3a), backslashes = word ^ (ones &* 0x5c)
            let hits = ((colons &- ones) & ~colons | (backslashes &- ones) & ~backslashes) & highs
            if hits == 0 {
                UnsafeMutableRawPointer(start + position).storeBytes(of: word, as: UInt64.self)
                position += 8
            } else {
                for offset in 0..<8 { position = escape(source[index + offset], at: position) }
            }
            index += 8
        }
        while index < text.count {
            position = escape(source[index], at: position)
            index += 1
        }
        used = position
    }

    @inline(__always)
    private func escape(_ byte: UInt8, at position: Int) -> Int {
        var position = position
        if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: ":") {
            start[position] = UInt8(ascii: "\\")
            position += 1
        }
        start[position] = byte
        return position + 1
    }

    /// The string's UTF-8 bytes, copied as one block.
    public func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    public func append(_ text: Substring) {
        var text = text
        text.withUTF8 { append($0) }
    }

    public func append(_ other: LineBuffer) {
        append(other.bytes)
    }

    /// Decimal digits of `value`, written back to front two at a time.
    public func appendDecimal(_ value: UInt64) {
        if value < 10 {
            append(byte: UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        let digits = Self.decimalDigitCount(value)
        reserve(digits)
        var position = used + digits
        used = position
        var rest = value
        while rest >= 100 {
            let quotient = rest / 100
            let pair = Int(truncatingIfNeeded: rest &- quotient &* 100)
            position -= 2
            start[position] = UInt8(truncatingIfNeeded: pair / 10) &+ 0x30
            start[position + 1] = UInt8(truncatingIfNeeded: pair % 10) &+ 0x30
            rest = quotient
        }
        if rest >= 10 {
            start[position - 2] = UInt8(truncatingIfNeeded: rest / 10) &+ 0x30
            start[position - 1] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
        } else {
            start[position - 1] = UInt8(truncatingIfNeeded: rest) &+ 0x30
        }
    }

    /// 10^0 ... 10^19.
    static let powersOfTen: [UInt64] = {
        var powers: [UInt64] = [1]
        for _ in 1...19 { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()

    /// Digits of `value` ≥ 1: log10 estimated from the bit length (1233/4096 ≈
    /// log10 2), corrected by one comparison.
    static func decimalDigitCount(_ value: UInt64) -> Int {
        let bits = 64 - value.leadingZeroBitCount
        let estimate = (bits &* 1233) >> 12
        return value >= powersOfTen[estimate] ? estimate + 1 : estimate
    }

    public func appendDecimal<T: BinaryInteger>(_ value: T) {
        if value < 0 {
            append(byte: UInt8(ascii: "-"))
            appendDecimal(UInt64(value.magnitude))
        } else {
            appendDecimal(UInt64(value))
        }
    }

    /// Dotted quad, e.g. `127.0.0.1`.
    public func append(_ address: IPv4Address) {
        reserve(16)
        used += address.writeDottedQuad(to: start + used)
    }

    /// `%.6f` (or `%.Nf`) exactly as C's printf renders it.
    public func appendFixed(_ value: Double, decimals: Int = 6) {
        if FixedDecimal.append(value, decimals: decimals, to: self) { return }
        FixedDecimal.appendWithPrintf(value, decimals: decimals, to: self)
    }
}

/// Exact `%.Nf` rendering without printf for the values logs carry.
///
/// printf prints the *exact* binary value of the double rounded to N decimals,
/// ties to even. For |v| < 2^43 the scaled value v·10^N = m·10^N·2^e (m the 53-bit
/// significand) fits a UInt128 before the shift, and the bits shifted out decide
/// the rounding exactly. Anything else (NaN, infinities, huge magnitudes, many
/// decimals of large values) goes to snprintf.
public enum FixedDecimal {
    static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000,
                                        10_000_000, 100_000_000, 1_000_000_000]

    /// Appends `value` rendered with `decimals` (0...9) fraction digits; false
    /// (nothing appended) when the value is outside the exact integer path.
    public static func append(_ value: Double, decimals: Int, to text: LineBuffer) -> Bool {
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
        if value.sign == .minus { text.append(byte: UInt8(ascii: "-")) }
        text.appendDecimal(scaled / scale)
        if decimals > 0 {
            text.reserve(decimals + 1)
            text.start[text.used] = UInt8(ascii: ".")
            var position = text.used + decimals
            text.used = position + 1
            var fraction = scaled % scale
            for _ in 0..<decimals {
                text.start[position] = UInt8(truncatingIfNeeded: fraction % 10) &+ 0x30
                fraction /= 10
                position -= 1
            }
        }
        return true
    }

    /// The snprintf rendering (reference semantics for every value).
    public static func appendWithPrintf(_ value: Double, decimals: Int, to text: LineBuffer) {
        let format = "%.\(decimals)f"
        let needed = withVaList([value]) { vsnprintf(nil, 0, format, $0) }
        guard needed > 0 else { return }
        var chars = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = withVaList([value]) { args in
            chars.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
        }
        for char in chars.prefix(Int(needed)) { text.append(byte: UInt8(bitPattern: char)) }
    }

    /// `%.Nf` as a String.
    public static func string(_ value: Double, decimals: Int = 6) -> String {
        let text = LineBuffer(capacity: 32)
        text.appendFixed(value, decimals: decimals)
        return text.string
    }
}
