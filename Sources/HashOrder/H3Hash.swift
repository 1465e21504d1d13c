/// The reference's H3 hash of short keys: 32 lookup tables of 256 words, one
/// per byte position; a key's hash is the XOR of `T[j][byte j]`.
///
/// The tables are drawn from glibc `random()` (see `GlibcRandom`): 512
/// outputs make 256 words `w[b] = (out[2b] & 0xffff) << 16 | (out[2b+1] & 0xffff)`,
/// and `T[j][v]` is the XOR of `w[8j + i]` over the set bits `i` of `v`.
/// A value is immutable once built, so one instance can be shared freely.
public struct H3Hash: Sendable {
    /// Longest key the H3 tables cover.
    public static let maximumKeyLength = 32

    /// The tables of the golden runs (seed 3695555201); built once, never mutated.
    public static let reference = H3Hash(seed: GlibcRandom.referenceSeed)

    /// `T[j][v]` at `j * 256 + v`.
    @usableFromInline let table: [UInt32]

    /// Builds the tables from `srandom(seed)`.
    /// - Parameter seed: the `srandom` seed.
    public init(seed: UInt32) {
        var random = GlibcRandom(seed: seed)
        var words = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 {
            let high = random.next() & 0xFFFF
            let low = random.next() & 0xFFFF
            words[b] = high << 16 | low
        }
        var table = [UInt32](repeating: 0, count: Self.maximumKeyLength * 256)
        for j in 0..<Self.maximumKeyLength {
            for v in 1..<256 {
                // T[j][v] = T[j][v without its lowest set bit] ^ w[8j + that bit].
                let bit = v.trailingZeroBitCount
                table[j * 256 + v] = table[j * 256 + (v & (v - 1))] ^ words[8 * j + bit]
            }
        }
        self.table = table
    }

    /// `T[position][value]`, for tests and diagnostics.
    public func tableEntry(position: Int, value: UInt8) -> UInt32 {
        table[position * 256 + Int(value)]
    }

    /// The hash of `bytes`.
    ///
    /// Exact for 0...32 bytes (0 bytes hash to 0), which covers every key the
    /// model needs (IPv4 connection keys are 12 bytes, service names and DUMP
    /// indices shorter). The reference hashes longer keys with a keyed MD5
    /// whose key is not reproduced here; longer keys instead fold 32-byte
    /// blocks with a rotation, which is deterministic but does not match the
    /// reference's order.
    /// - Parameter bytes: the key's bytes as the reference hashes them.
    /// - Returns: the 32-bit hash.
    @inlinable
    public func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        table.withUnsafeBufferPointer { t in
            var result: UInt32 = 0
            var position = 0
            for byte in bytes {
                let j = position & (Self.maximumKeyLength - 1)
                if j == 0 && position > 0 { result = result.rotatedLeft(by: 7) }
                result ^= t[j &<< 8 | Int(byte)]
                position &+= 1
            }
            return result
        }
    }

    /// The hash of a key's reference bytes.
    @inlinable
    public func hash<Key: ReferenceHashKey>(_ key: Key) -> UInt32 {
        key.withReferenceHashBytes { hash($0) }
    }
}

extension UInt32 {
    @inlinable
    func rotatedLeft(by count: UInt32) -> UInt32 {
        self << count | self >> (32 - count)
    }
}
