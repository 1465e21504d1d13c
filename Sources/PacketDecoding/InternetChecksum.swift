/// The Internet checksum (RFC 1071): the one's-complement sum of 16-bit words.
///
/// Sums are kept in *native-load space*: the packet's bytes are loaded as host
/// integers without byte swapping. The one's-complement sum is byte-order
/// independent (RFC 1071 §2(B)), so this is exact as long as every term, including
/// pseudo-header fields, is added in the same space; `wireOrder(_:)` converts a
/// folded native sum to the value a header field would hold.
///
/// Partial sums are unfolded `UInt64`s: folding is needed only once, at the end,
/// because 2^16 ≡ 1 (mod 0xffff) makes every wider lane congruent to its 16-bit words.
public enum InternetChecksum {
    /// Adds `bytes` to `partial`, padding an odd final byte with a zero byte.
    ///
    /// The bulk is summed 16 bytes at a time as eight `UInt16` lanes widened into
    /// eight `UInt32` accumulators (one vector add per 16 bytes); the lanes are
    /// flushed into the 64-bit partial before they could overflow.
    /// - Parameters:
    ///   - bytes: the data; any alignment, any length.
    ///   - partial: a previous unfolded sum (0 to start).
    /// - Returns: the unfolded sum, to be passed on or folded.
    @inlinable
    public static func add(_ bytes: UnsafeRawBufferPointer, to partial: UInt64 = 0) -> UInt64 {
        guard var p = bytes.baseAddress else { return partial }
        var remaining = bytes.count
        var total = partial
        // Each lane gains at most 0xffff per block; 32768 blocks keep it below 2^31.
        let blocksPerFlush = 32768
        while remaining >= 16 {
            var lanes = SIMD8<UInt32>(repeating: 0)
            var blocks = Swift.min(remaining / 16, blocksPerFlush)
            remaining -= blocks * 16
            while blocks > 0 {
                let words = p.loadUnaligned(as: SIMD8<UInt16>.self)
                lanes &+= SIMD8<UInt32>(truncatingIfNeeded: words)
                p += 16
                blocks -= 1
            }
            total &+= UInt64(lanes[0]) &+ UInt64(lanes[1]) &+ UInt64(lanes[2]) &+ UInt64(lanes[3])
            total &+= UInt64(lanes[4]) &+ UInt64(lanes[5]) &+ UInt64(lanes[6]) &+ UInt64(lanes[7])
        }
        if remaining >= 8 {
            let w = p.loadUnaligned(as: UInt64.self)
            total &+= (w & 0xffff_ffff) &+ (w >> 32)
            p += 8
            remaining -= 8
        }
        if remaining >= 4 {
            total &+= UInt64(p.loadUnaligned(as: UInt32.self))
            p += 4
            remaining -= 4
        }
        if remaining >= 2 {
            total &+= UInt64(p.loadUnaligned(as: UInt16.self))
            p += 2
            remaining -= 2
        }
        if remaining == 1 {
            // The lone byte is the high-order byte of a zero-padded network word.
            total &+= UInt64(nativeWord(high: p.load(as: UInt8.self), low: 0))
        }
        return total
    }

    /// A network-order 16-bit word given by its two wire bytes, in native-load space.
    @inlinable @inline(__always)
    public static func nativeWord(high: UInt8, low: UInt8) -> UInt16 {
        (UInt16(high) << 8 | UInt16(low)).bigEndian
    }

    /// A 16-bit host value (a length, a protocol number) as it would be summed from the wire.
    @inlinable @inline(__always)
    public static func nativeWord(_ value: UInt16) -> UInt16 { value.bigEndian }

    /// Folds an unfolded sum to 16 bits with end-around carries.
    /// The result is 0 only if the sum is 0; otherwise it is in `1...0xffff`.
    @inlinable
    public static func fold(_ sum: UInt64) -> UInt16 {
        var s = sum
        while s > 0xffff { s = (s & 0xffff) &+ (s >> 16) }
        return UInt16(truncatingIfNeeded: s)
    }

    /// A folded native sum as the network-order value a checksum field would compare against.
    @inlinable @inline(__always)
    public static func wireOrder(_ folded: UInt16) -> UInt16 { UInt16(bigEndian: folded) }

    /// True when the data (checksum field included) sums to 0xffff, the reference's test.
    @inlinable
    public static func verifies(_ sum: UInt64) -> Bool { fold(sum) == 0xffff }

    /// Plain RFC 1071 reference: big-endian words one at a time, 32-bit accumulator
    /// folded as it goes. Slow; kept for differential tests of `add(_:to:)`.
    /// - Returns: the folded sum in network order (0 only for all-zero input).
    public static func referenceSum(_ bytes: UnsafeRawBufferPointer, initial: UInt16 = 0) -> UInt16 {
        var sum = UInt32(initial)
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            if sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
            i += 2
        }
        if i < bytes.count {
            sum += UInt32(bytes[i]) << 8
            if sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        }
        return UInt16(sum)
    }
}
