/// A forward-only reader of big-endian XDR words over borrowed bytes.
///
/// Every read checks the remaining byte count first and reports a shortfall by
/// returning `nil` / `false` without moving; nothing traps and nothing allocates.
/// A failed read leaves `offset` where it was, which is what the reference's
/// remaining-byte bookkeeping needs (TCP `reply_len` is "bytes left" even after a
/// failed decode).
@frozen
public struct XDRCursor {
    /// The bytes being read (not owned).
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte, `0 ... bytes.count`.
    public var offset: Int

    /// - Parameters:
    ///   - bytes: the message bytes; must stay valid while the cursor is used.
    ///   - offset: where reading starts (clamped to the buffer).
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = max(0, min(offset, bytes.count))
    }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { bytes.count - offset }

    /// True when every byte has been read.
    @inlinable public var isAtEnd: Bool { offset >= bytes.count }

    /// Reads one big-endian 32-bit word.
    /// - Returns: the word, or `nil` (cursor unchanged) when fewer than 4 bytes remain.
    @inlinable
    public mutating func readUInt32() -> UInt32? {
        guard bytes.count - offset >= 4 else { return nil }
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(bigEndian: raw)
    }

    /// The big-endian word `byteOffset` bytes past the cursor, without moving.
    /// - Returns: `nil` when the word is not completely inside the buffer.
    @inlinable
    public func peekUInt32(at byteOffset: Int = 0) -> UInt32? {
        let start = offset + byteOffset
        guard byteOffset >= 0, start <= bytes.count - 4 else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self))
    }

    /// Skips `count` bytes.
    /// - Returns: `false` (cursor unchanged) when `count` is negative or exceeds `remaining`.
    @inlinable
    @discardableResult
    public mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, count <= bytes.count - offset else { return false }
        offset += count
        return true
    }

    /// Moves to the end of the buffer.
    @inlinable
    public mutating func skipToEnd() { offset = bytes.count }

    /// The unread bytes as a buffer of their own (index 0 = next unread byte).
    @inlinable
    public var unreadBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[offset...])
    }

    /// Whether any unread byte is non-zero (the TCP interpreter tolerates zero padding).
    @inlinable
    public var unreadBytesContainNonZero: Bool {
        var index = offset
        let end = bytes.count
        while index < end {
            if bytes[index] != 0 { return true }
            index += 1
        }
        return false
    }
}

extension XDRCursor {
    /// Result of the hand-written interpreter's opaque extraction (§1.3.2).
    @frozen
    public enum OpaqueOutcome: Equatable {
        /// Length word missing, negative (≥ 2^31), larger than the bytes left or
        /// larger than the limit. The length word itself stays consumed.
        case failed
        /// The data fit and its padding too.
        case complete(length: UInt32)
        /// The data fit but the zero padding after it runs past the end of the
        /// record. The reference then drives its remaining-byte count negative
        /// and aborts (SEMANTICS-RPC §1.3.2 item 6). We treat the missing padding
        /// as consumed (cursor at end) and let the caller count the event.
        case paddingOverrun(length: UInt32)
    }

    /// Extracts an XDR opaque the way the reference's hand-written TCP
    /// interpreter does: length word, then `length` bytes rounded up to 4.
    /// - Parameter maximumLength: 400 for auth bodies, 8192 for portmap opaques.
    @inlinable
    public mutating func extractOpaque(maximumLength: Int) -> OpaqueOutcome {
        guard let length = readUInt32() else { return .failed }
        guard Int32(bitPattern: length) >= 0, Int(length) <= remaining, Int(length) <= maximumLength else {
            return .failed
        }
        let padded = (Int(length) + 3) & ~3
        if padded > remaining {
            skipToEnd()
            return .paddingOverrun(length: length)
        }
        offset += padded
        return .complete(length: length)
    }
}
