/// The reference's generated (binpac) parser rules, used by the UDP path.
///
/// binpac names the structure (and field) that ran out of bytes and prints
/// "needed > available", both counted from the start of that structure
/// (SEMANTICS-RPC §1.2). These helpers reproduce those numbers exactly.
extension XDRCursor {
    /// Requires `needed` bytes at the cursor for the fixed-size structure or
    /// prefix named `field` (e.g. `PortmapMapping`, `RPC_Call:proc`).
    @inlinable
    public func binpacRequire(_ field: StaticString, _ needed: Int) throws(BinpacException) {
        let available = bytes.count - offset
        if available < needed {
            throw .outOfBound(field: field, needed: needed, available: available)
        }
    }

    /// Reads the word named `field` of a structure that started at
    /// `structureStart`; binpac reports "end of this field > bytes from the
    /// structure start to the end of the datagram".
    @inlinable
    public mutating func binpacWord(_ field: StaticString, structureStart: Int) throws(BinpacException) -> UInt32 {
        let needed = offset + 4 - structureStart
        let available = bytes.count - structureStart
        if needed > available {
            throw .outOfBound(field: field, needed: needed, available: available)
        }
        return takeUInt32()
    }

    /// binpac `RPC_Opaque`: length L (L ≥ 2^31 reads as 0), then min(L, N−4)
    /// data bytes (silently stopping at the end of the datagram), then padding
    /// to a multiple of 4 that must be present (its value is not checked).
    /// - Returns: the declared length L as sent.
    @inlinable
    @discardableResult
    public mutating func binpacOpaque() throws(BinpacException) -> UInt32 {
        let available = bytes.count - offset
        if available < 4 {
            throw .outOfBound(field: "RPC_Opaque:length", needed: 4, available: available)
        }
        let start = offset
        let length = takeUInt32()
        let declared = Int32(bitPattern: length) < 0 ? 0 : Int(length)
        let dataRead = min(declared, available - 4)
        let size = 4 + dataRead + ((4 - (dataRead & 3)) & 3)
        if size > available {
            offset = start
            throw .outOfBound(field: "RPC_Opaque", needed: size, available: available)
        }
        offset = start + size
        return length
    }

    /// binpac `RPC_OpaqueAuth`: flavor word, then an `RPC_Opaque`.
    /// - Returns: the structure's size in bytes.
    @inlinable
    @discardableResult
    public mutating func binpacOpaqueAuth() throws(BinpacException) -> Int {
        let start = offset
        let available = bytes.count - offset
        if available < 4 {
            throw .outOfBound(field: "RPC_OpaqueAuth:flavor", needed: 4, available: available)
        }
        offset += 4
        try binpacOpaque()
        return offset - start
    }

    /// Reads a word whose presence the caller has already checked (internal:
    /// every caller above proves `offset + 4 <= bytes.count` first).
    @inlinable
    mutating func takeUInt32() -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(bigEndian: raw)
    }
}
