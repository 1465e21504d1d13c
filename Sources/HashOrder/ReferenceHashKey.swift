/// A key the reference hashes by its bytes.
///
/// Conformers hand out exactly the bytes the reference hashes (for instance
/// a connection's 12-byte canonical key, SEMANTICS-CONN.md §2.1); the hash
/// tables then decide the iteration order. `Hashable` is used only for the
/// model's own O(1) lookup index and never influences order.
public protocol ReferenceHashKey: Hashable {
    /// Calls `body` with the key's bytes as the reference hashes them.
    func withReferenceHashBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

/// Strings (service names, program names) hash as their raw UTF-8 bytes, no terminator.
extension String: ReferenceHashKey {
    @inlinable
    public func withReferenceHashBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

/// A 32-bit count (e.g. the 1-based index of a DUMP reply entry) hashes as
/// its 4 bytes in little-endian order, as the reference (on x86) hashes a
/// host integer.
extension UInt32: ReferenceHashKey {
    @inlinable
    public func withReferenceHashBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var little = self.littleEndian
        return try withUnsafeBytes(of: &little) { try body($0) }
    }
}

/// Raw byte keys hash as themselves.
extension Array: ReferenceHashKey where Element == UInt8 {
    @inlinable
    public func withReferenceHashBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes { try body($0) }
    }
}
