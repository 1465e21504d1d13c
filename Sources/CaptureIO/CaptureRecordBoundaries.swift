/// Finds where records end in a pcap or pcapng byte stream without decoding
/// them: the pcap file header and each record header + data, or each pcapng
/// block (any type). Used to cut a stream into pieces that each begin on a record
/// boundary (multi-frame zstd packing), keeping every byte verbatim.
///
/// Incremental: the caller keeps the bytes, the scanner keeps only what it
/// needs across records (the format and the current pcapng section's byte order).
public struct CaptureRecordBoundaries: Sendable {
    /// Largest record or block accepted; anything larger is treated as corrupt so
    /// that a garbage length cannot make the caller buffer without bound.
    public static let maxRecordBytes = 64 << 20

    public private(set) var format: CaptureFormat?
    /// Byte order of the pcap file, or of the pcapng section being scanned.
    public private(set) var byteOrder: CaptureByteOrder = .littleEndian
    private let file: String

    /// - Parameter file: name used in errors.
    public init(file: String) {
        self.file = file
    }

    /// The record that starts at `start` in `bytes`.
    /// - Parameters:
    ///   - bytes: buffered stream bytes; `start` must be a record boundary.
    ///   - start: offset in `bytes` of the record.
    ///   - streamOffset: offset of `bytes[start]` in the whole stream (0 = file start).
    /// - Returns: the offset in `bytes` just past the record and whether it holds a
    ///   packet, or `nil` if `bytes` ends before the record does.
    /// - Throws: `CaptureError` for an unknown magic number or an impossible length.
    public mutating func recordEnd(
        in bytes: UnsafeRawBufferPointer, at start: Int, streamOffset: UInt64
    ) throws(CaptureError) -> (end: Int, isPacket: Bool)? {
        let available = bytes.count - start
        if streamOffset == 0 {
            guard available >= 4 else { return nil }
            try detectFormat(magic: bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self), streamOffset: streamOffset)
        }
        switch format {
        case .pcap:
            if streamOffset == 0 { return available >= 24 ? (start + 24, false) : nil }
            guard available >= 16 else { return nil }
            let caplen = word(bytes, start + 8)
            guard caplen <= Self.maxRecordBytes - 16 else {
                throw CaptureError(file: file, offset: streamOffset, problem: .absurdCaptureLength(caplen, limit: UInt32(Self.maxRecordBytes - 16)))
            }
            let length = 16 + Int(caplen)
            return available >= length ? (start + length, true) : nil
        case .pcapng:
            guard available >= 12 else { return nil }
            let type = bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self)
            if type == 0x0A0D_0D0A {
                // A Section Header Block (palindromic type) sets the byte order for its section.
                switch bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self) {
                case 0x1A2B_3C4D: byteOrder = hostOrder
                case 0x4D3C_2B1A: byteOrder = hostOrder == .littleEndian ? .bigEndian : .littleEndian
                default:
                    throw CaptureError(file: file, offset: streamOffset, problem: .badSectionHeader("unknown byte-order magic"))
                }
            }
            let length = word(bytes, start + 4)
            guard length >= 12, length % 4 == 0, length <= Self.maxRecordBytes else {
                throw CaptureError(file: file, offset: streamOffset, problem: .badBlockLength(length))
            }
            let blockType = word(bytes, start)
            // Enhanced (6), Simple (3) and obsolete Packet (2) blocks carry packets.
            let isPacket = blockType == 6 || blockType == 3 || blockType == 2
            return available >= Int(length) ? (start + Int(length), isPacket) : nil
        case nil:
            return nil
        }
    }

    private var hostOrder: CaptureByteOrder { (1 as UInt16).littleEndian == 1 ? .littleEndian : .bigEndian }

    private func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return byteOrder == .bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    private mutating func detectFormat(magic: UInt32, streamOffset: UInt64) throws(CaptureError) {
        let fileOrder = UInt32(littleEndian: magic)  // bytes read as little-endian
        switch fileOrder {
        case 0xA1B2_C3D4, 0xA1B2_3C4D: format = .pcap; byteOrder = .littleEndian
        case 0xD4C3_B2A1, 0x4D3C_B2A1: format = .pcap; byteOrder = .bigEndian
        case 0x0A0D_0D0A: format = .pcapng
        default:
            throw CaptureError(file: file, offset: streamOffset, problem: .unknownMagic(UInt32(bigEndian: magic)))
        }
    }
}
