/// Identity of a call's bytes for the retransmission-consistency check.
///
/// The reference keeps a full copy of every pending call and `memcmp`s a
/// retransmission against it. Keeping copies would cost up to 64 KiB per
/// pending call; instead we keep the length and a 128-bit digest (two
/// independent 64-bit multiply/rotate lanes over 8-byte words, then a
/// finaliser). Equal bytes always match; different bytes of equal length
/// match only on a digest collision (about 2^-128 for unrelated inputs).
@frozen
public struct RexmitFingerprint: Equatable, Sendable {
    public var length: Int
    public var digestLow: UInt64
    public var digestHigh: UInt64

    /// Fingerprints `bytes`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        var a: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(truncatingIfNeeded: bytes.count)
        var b: UInt64 = 0x1319_8A2E_0370_7344 &+ UInt64(truncatingIfNeeded: bytes.count)
        var offset = 0
        let count = bytes.count
        while count - offset >= 8 {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            a = Self.rotate(a ^ word, 29) &* 0x9E37_79B9_7F4A_7C15
            b = Self.rotate(b &+ word, 37) &* 0xC2B2_AE3D_27D4_EB4F
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            a = Self.rotate(a ^ tail, 29) &* 0x9E37_79B9_7F4A_7C15
            b = Self.rotate(b &+ tail, 37) &* 0xC2B2_AE3D_27D4_EB4F
        }
        length = count
        digestLow = Self.finalise(a ^ Self.rotate(b, 17))
        digestHigh = Self.finalise(b ^ Self.rotate(a, 41))
    }

    @inlinable
    static func rotate(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    /// SplitMix64 finaliser: every input bit affects every output bit.
    @inlinable
    static func finalise(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
