/// Big-endian field reads for header views.
///
/// Callers check the header's bounds once (`count >= N`) and then read fields with
/// these unchecked helpers; every read is `loadUnaligned` plus a byte swap, so a
/// header view never needs the packet to be aligned.
extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    func beUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    func beUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The bytes `from ..< to`, clamped to the buffer (an empty slice when the range
    /// lies outside it). Rebased so views can index from 0.
    @inlinable @inline(__always)
    func clampedSlice(from: Int, to: Int) -> UnsafeRawBufferPointer {
        let lower = Swift.max(0, Swift.min(from, count))
        let upper = Swift.max(lower, Swift.min(to, count))
        guard let base = baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + lower, count: upper - lower)
    }
}
