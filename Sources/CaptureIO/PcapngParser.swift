/// pcapng block types the reader interprets (everything else is skipped).
enum PcapngBlockType {
    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    static let interfaceDescription: UInt32 = 1
    static let obsoletePacket: UInt32 = 2
    static let simplePacket: UInt32 = 3
    static let enhancedPacket: UInt32 = 6
    /// The byte-order magic of a Section Header Block, as written by the producer.
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
}

/// Walks pcapng blocks over any `CaptureByteStream`: sections of either byte order
/// (each with its own interfaces), IDB, EPB, SPB and the obsolete PB. Other block
/// types are skipped without being made contiguous, and counted.
struct PcapngParser<Stream: CaptureByteStream> {
    var stream: Stream
    let path: String
    let maxCaptureLength: UInt32
    /// Largest block the parser will make contiguous (SHB, IDB, packet blocks).
    let maxBlockLength: UInt32
    let maxInterfaces: Int

    /// Byte order of the current section differs from the host's.
    var swapped = false
    var interfaces: [PcapngInterface] = []
    /// Byte order of the first section (what `CaptureReader.byteOrder` reports).
    var firstByteOrder: CaptureByteOrder = .littleEndian
    var sections = 0
    /// Distinct link types in order of first appearance, over all sections.
    var linkTypes: [LinkType] = []
    var skippedBlocks: UInt64 = 0

    init(stream: Stream, path: String, options: ReaderOptions) {
        self.stream = stream
        self.path = path
        self.maxCaptureLength = options.maxCaptureLength
        self.maxBlockLength = options.effectiveMaxBlockLength
        self.maxInterfaces = options.maxInterfacesPerSection
    }

    func failure(_ offset: UInt64, _ problem: CaptureError.Problem) -> CaptureError {
        CaptureError(file: path, offset: offset, zstdFrame: stream.frameContext, problem: problem)
    }

    /// Reads the leading Section Header Block and the Interface Description Blocks
    /// right after it, so `linkTypes` is known before the first packet is asked for.
    mutating func open() throws(CaptureError) {
        let head = try stream.peek(12)
        guard head.count >= 12 else { throw failure(stream.offset, .truncatedFileHeader) }
        guard head.loadUnaligned(as: UInt32.self) == PcapngBlockType.sectionHeader else {
            throw failure(stream.offset, .badSectionHeader("the first block is not a section header"))
        }
        while true {
            let start = stream.offset
            let buf = try stream.peek(8)
            guard buf.count >= 8 else { return }
            let raw = buf.loadUnaligned(as: UInt32.self)
            let type = swapped ? raw.byteSwapped : raw
            if type == PcapngBlockType.sectionHeader && sections == 0 {
                try readSectionHeader(at: start)
            } else if type == PcapngBlockType.interfaceDescription {
                try readInterfaceDescription(at: start, length: try checkedLength(buf, at: start))
            } else {
                return
            }
        }
    }

    /// The next packet, or nil at the clean end of the stream.
    mutating func nextPacket() throws(CaptureError) -> CapturedPacket? {
        while true {
            let start = stream.offset
            let buf = try stream.peek(8)
            if buf.count == 0 { return nil }
            guard buf.count >= 8 else { throw failure(start, .truncatedBlock) }
            let raw = buf.loadUnaligned(as: UInt32.self)
            // The SHB type is a byte-order palindrome, so it is recognised before the
            // (possibly different) byte order of the new section is known.
            if raw == PcapngBlockType.sectionHeader {
                try readSectionHeader(at: start)
                continue
            }
            let type = swapped ? raw.byteSwapped : raw
            let length = try checkedLength(buf, at: start)
            switch type {
            case PcapngBlockType.enhancedPacket, PcapngBlockType.obsoletePacket:
                return try readPacketBlock(at: start, length: length, enhanced: type == PcapngBlockType.enhancedPacket)
            case PcapngBlockType.simplePacket:
                return try readSimplePacketBlock(at: start, length: length)
            case PcapngBlockType.interfaceDescription:
                try readInterfaceDescription(at: start, length: length)
            default:
                try skipBlock(at: start, length: length)
            }
        }
    }

    /// Block total length from a block's first 8 bytes: at least 12, a multiple of 4.
    func checkedLength(_ head: UnsafeRawBufferPointer, at start: UInt64) throws(CaptureError) -> UInt32 {
        let length = head.word(4, swapped: swapped)
        guard length >= 12, length % 4 == 0 else { throw failure(start, .badBlockLength(length)) }
        return length
    }

    /// Makes a whole block contiguous and checks its trailer. Only used for blocks
    /// the parser must read (bounded by `maxBlockLength`); others are skipped.
    mutating func wholeBlock(at start: UInt64, length: UInt32, minimum: UInt32) throws(CaptureError) -> UnsafeRawBufferPointer {
        guard length >= minimum, length <= maxBlockLength else { throw failure(start, .badBlockLength(length)) }
        let block = try stream.peek(Int(length))
        guard block.count >= Int(length) else { throw failure(start, .truncatedBlock) }
        let trailer = block.word(Int(length) - 4, swapped: swapped)
        guard trailer == length else { throw failure(start, .badBlockTrailer(expected: length, found: trailer)) }
        return block
    }

    mutating func skipBlock(at start: UInt64, length: UInt32) throws(CaptureError) {
        let body = UInt64(length) - 4
        guard try stream.skip(body) == body else { throw failure(start, .truncatedBlock) }
        let tail = try stream.peek(4)
        guard tail.count >= 4 else { throw failure(start, .truncatedBlock) }
        let trailer = tail.word(0, swapped: swapped)
        guard trailer == length else { throw failure(start, .badBlockTrailer(expected: length, found: trailer)) }
        stream.consume(4)
        skippedBlocks &+= 1
    }
}
