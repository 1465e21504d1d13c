/// Appends XDR (RFC 4506) items, big-endian 32-bit words, into a fixed scratch area.
///
/// Synthetic messages are small (the largest is a DUMP reply), so the scratch is
/// sized once and writes past its end are dropped rather than trapping.
struct XDRWriter {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count = 0

    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func word(_ value: UInt32) {
        guard count + 4 <= capacity else { return }
        (base + count).storeBytes(of: value.bigEndian, as: UInt32.self)
        count += 4
    }

    /// Variable-length opaque: length word, the bytes, zero padding to a word boundary.
    mutating func opaque(length: Int, fill: (Int) -> UInt8) {
        word(UInt32(length))
        let padded = (length + 3) & ~3
        guard count + padded <= capacity else { return }
        for i in 0..<padded {
            (base + count + i).storeBytes(of: i < length ? fill(i) : 0, as: UInt8.self)
        }
        count += padded
    }

    mutating func string(_ text: StaticString) {
        let utf8 = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        opaque(length: utf8.count) { utf8[$0] }
    }

    /// Overwrites a word already written (record marks, patched lengths).
    mutating func patch(_ value: UInt32, at offset: Int) {
        (base + offset).storeBytes(of: value.bigEndian, as: UInt32.self)
    }
}
