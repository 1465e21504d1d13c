/// A pcapng interface's timestamp unit, from the `if_tsresol` option (code 9):
/// most significant bit clear means 10^-n seconds, set means 2^-n seconds, where
/// n is the low seven bits. Without the option the unit is 10^-6 s.
struct PcapngTimestampResolution: Equatable, Sendable {
    /// The raw `if_tsresol` byte.
    let raw: UInt8

    static let microseconds = PcapngTimestampResolution(raw: 6)

    init(raw: UInt8) { self.raw = raw }

    var isBinary: Bool { raw & 0x80 != 0 }
    var exponent: Int { Int(raw & 0x7F) }

    /// Splits a count of units since the epoch into whole seconds and nanoseconds.
    /// Exact: sub-nanosecond digits are truncated, never rounded, and binary
    /// fractions are computed with a 128-bit product so nothing overflows.
    func split(_ units: UInt64) -> (seconds: UInt64, nanoseconds: UInt32) {
        let n = exponent
        if isBinary {
            if n == 0 { return (units, 0) }
            if n < 64 {
                let fraction = units & ((1 << UInt64(n)) &- 1)
                let p = fraction.multipliedFullWidth(by: 1_000_000_000)
                // (p >> n) < 10^9 because fraction < 2^n.
                let ns = (p.high << UInt64(64 - n)) | (p.low >> UInt64(n))
                return (units >> UInt64(n), UInt32(truncatingIfNeeded: ns))
            }
            // Units are finer than 2^-64 s: a 64-bit count is always below one second.
            let p = units.multipliedFullWidth(by: 1_000_000_000)
            return (0, UInt32(truncatingIfNeeded: p.high >> UInt64(n - 64)))
        }
        if n <= 9 {
            let perSecond = Self.powersOfTen[n]
            let (q, r) = units.quotientAndRemainder(dividingBy: perSecond)
            return (q, UInt32(truncatingIfNeeded: r &* Self.powersOfTen[9 - n]))
        }
        if n <= 19 {
            let (q, r) = units.quotientAndRemainder(dividingBy: Self.powersOfTen[n])
            return (q, UInt32(truncatingIfNeeded: r / Self.powersOfTen[n - 9]))
        }
        // 10^n > 2^64 > units: no whole seconds; the nanoseconds are units / 10^(n-9).
        let shift = n - 9
        return (0, shift <= 19 ? UInt32(truncatingIfNeeded: units / Self.powersOfTen[shift]) : 0)
    }

    /// 10^0 ... 10^19 (10^19 is the largest power of ten that fits in 64 bits).
    static let powersOfTen: [UInt64] = {
        var p: [UInt64] = [1]
        for _ in 1...19 { p.append(p[p.count - 1] * 10) }
        return p
    }()
}
