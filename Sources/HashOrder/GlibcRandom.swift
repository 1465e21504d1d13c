/// glibc's `random()` in its default TYPE_3 configuration (additive feedback,
/// 31 words of state), as seeded by `srandom(seed)`.
///
/// The reference seeds it from its seed file (first number 3695555201 in the
/// golden runs) and draws its hash-function tables from it, so reproducing
/// its hash-table iteration order starts here. This is an independent
/// implementation of the published recurrence (SEMANTICS-CONN.md §2.8):
///
///     r[0] = seed (as signed 32-bit; 0 becomes 1)
///     r[i] = 16807 * r[i-1] mod (2^31 - 1)            i = 1...30 (Schrage's method)
///     r[i] = r[i-31]                                   i = 31...33
///     r[i] = r[i-31] + r[i-3] (mod 2^32)               i >= 34
///     output k = r[k + 344] >> 1
public struct GlibcRandom: Sendable {
    /// The seed of the golden runs (first number of the reference's seed file).
    public static let referenceSeed: UInt32 = 3_695_555_201

    /// The last 32 values of r, indexed by i mod 32 (only r[i-31] and r[i-3] are needed).
    private var ring: [UInt32]
    /// Index i of the next r value to compute.
    private var index: Int

    /// - Parameter seed: the value passed to `srandom`.
    public init(seed: UInt32 = GlibcRandom.referenceSeed) {
        ring = [UInt32](repeating: 0, count: 32)
        var word = Int64(Int32(bitPattern: seed == 0 ? 1 : seed))
        ring[0] = UInt32(truncatingIfNeeded: word)
        for i in 1...30 {
            // 16807 * word mod (2^31 - 1) without overflow; C division truncates, as Swift's does.
            let hi = word / 127_773
            let lo = word % 127_773
            word = 16_807 * lo - 2_836 * hi
            if word < 0 { word += 2_147_483_647 }
            ring[i] = UInt32(truncatingIfNeeded: word)
        }
        for i in 31...33 { ring[i & 31] = ring[(i - 31) & 31] }
        index = 34
        // glibc discards the first 310 outputs of the feedback generator.
        for _ in 34..<344 { _ = step() }
    }

    private mutating func step() -> UInt32 {
        let value = ring[(index - 31) & 31] &+ ring[(index - 3) & 31]
        ring[index & 31] = value
        index += 1
        return value
    }

    /// The next output of `random()`, in `0 ..< 2^31`.
    public mutating func next() -> UInt32 {
        step() >> 1
    }
}
