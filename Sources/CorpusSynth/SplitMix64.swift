/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator.
///
/// The synthesizer must be a pure function of its arguments, so it never touches
/// the system generator; every random choice comes from one of these.
public struct SplitMix64: Sendable {
    @usableFromInline var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (`bound` > 0). Multiply-shift: no division, bias < 2^-32 for small bounds.
    @inlinable @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: next() >> 32) &* UInt64(bound)) >> 32)
    }

    /// A value in `range`.
    @inlinable @inline(__always)
    public mutating func inRange(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `p`.
    @inlinable @inline(__always)
    public mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1.0p-53 < p
    }
}
