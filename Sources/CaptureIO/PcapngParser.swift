/// One interface described by an Interface Description Block.
struct PcapngInterface: Sendable {
    var linkType: LinkType
    var snaplen: UInt32
    var resolution: PcapngTimestampResolution
    /// `if_tsoffset`: seconds added to every timestamp of this interface.
    var offsetSeconds: Int64
    /// Fast path for 10^-n units with n <= 9 (the common µs/ns cases):
    /// seconds = units / divisor, nanoseconds = remainder * multiplier. Zero otherwise.
    var divisor: UInt64 = 0
    var multiplier: UInt64 = 0

    init(linkType: LinkType, snaplen: UInt32, resolution: PcapngTimestampResolution, offsetSeconds: Int64) {
        self.linkType = linkType
        self.snaplen = snaplen
        self.resolution = resolution
        self.offsetSeconds = offsetSeconds
        if !resolution.isBinary && resolution.exponent <= 9 {
            divisor = PcapngTimestampResolution.powersOfTen[resolution.exponent]
            multiplier = PcapngTimestampResolution.powersOfTen[9 - resolution.exponent]
        }
    }

    @inline(__always)
    func timestamp(high: UInt32, low: UInt32) -> CaptureTimestamp {
        let units = UInt64(high) << 32 | UInt64(low)
        let seconds: UInt64
        let nanos: UInt32
        if divisor != 0 {
            let (q, r) = units.quotientAndRemainder(dividingBy: divisor)
            seconds = q
            nanos = UInt32(truncatingIfNeeded: r &* multiplier)
        } else {
            (seconds, nanos) = resolution.split(units)
        }
        // Wrapping like C's time_t arithmetic: a corrupt 64-bit count must not trap.
        return CaptureTimestamp(
            seconds: Int64(truncatingIfNeeded: seconds) &+ offsetSeconds, nanoseconds: nanos)
    }
}

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

    mutating func readSectionHeader(at start: UInt64) throws(CaptureError) {
        let head = try stream.peek(12)
        guard head.count >= 12 else { throw failure(start, .truncatedBlock) }
        let magic = head.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let sectionSwapped: Bool
        switch magic {
        case PcapngBlockType.byteOrderMagic: sectionSwapped = false
        case PcapngBlockType.byteOrderMagic.byteSwapped: sectionSwapped = true
        default: throw failure(start, .badSectionHeader("byte-order magic 0x\(String(magic, radix: 16))"))
        }
        swapped = sectionSwapped
        let length = try checkedLength(head, at: start)
        let block = try wholeBlock(at: start, length: length, minimum: 28)
        let major = block.half(12, swapped: swapped)
        guard major == 1 else {
            throw failure(start, .badSectionHeader("unsupported version \(major).\(block.half(14, swapped: swapped))"))
        }
        stream.consume(Int(length))
        // Interface ids are local to a section.
        interfaces.removeAll(keepingCapacity: true)
        if sections == 0 {
            let hostLittle = (1 as UInt16).littleEndian == 1
            firstByteOrder = hostLittle != swapped ? .littleEndian : .bigEndian
        }
        sections += 1
    }

    mutating func readInterfaceDescription(at start: UInt64, length: UInt32) throws(CaptureError) {
        let block = try wholeBlock(at: start, length: length, minimum: 20)
        guard interfaces.count < maxInterfaces else {
            throw failure(start, .other("more than \(maxInterfaces) interfaces in one section"))
        }
        let linkType = LinkType(rawValue: UInt32(block.half(8, swapped: swapped)))
        let snaplen = block.word(12, swapped: swapped)
        var resolution = PcapngTimestampResolution.microseconds
        var offsetSeconds: Int64 = 0
        // Options: code (16), length (16), value padded to 4 bytes; code 0 ends the list.
        var at = 16
        let end = Int(length) - 4
        while end - at >= 4 {
            let code = block.half(at, swapped: swapped)
            let size = Int(block.half(at + 2, swapped: swapped))
            if code == 0 { break }
            let padded = (size + 3) & ~3
            guard padded <= end - at - 4 else {
                throw failure(start, .badOption("option \(code) of \(size) bytes overruns its interface description block"))
            }
            switch code {
            case 9:  // if_tsresol
                guard size == 1 else { throw failure(start, .badOption("if_tsresol has length \(size), expected 1")) }
                resolution = PcapngTimestampResolution(raw: block.load(fromByteOffset: at + 4, as: UInt8.self))
            case 14:  // if_tsoffset
                guard size == 8 else { throw failure(start, .badOption("if_tsoffset has length \(size), expected 8")) }
                let v = block.loadUnaligned(fromByteOffset: at + 4, as: UInt64.self)
                offsetSeconds = Int64(bitPattern: swapped ? v.byteSwapped : v)
            default:
                break
            }
            at += 4 + padded
        }
        stream.consume(Int(length))
        interfaces.append(
            PcapngInterface(linkType: linkType, snaplen: snaplen, resolution: resolution, offsetSeconds: offsetSeconds))
        if !linkTypes.contains(linkType) { linkTypes.append(linkType) }
    }

    /// Enhanced Packet Block (type 6) or obsolete Packet Block (type 2): both carry
    /// interface, 64-bit timestamp, caplen and original length in the same places;
    /// the PB's interface id is 16 bits (followed by a drops count).
    mutating func readPacketBlock(at start: UInt64, length: UInt32, enhanced: Bool) throws(CaptureError) -> CapturedPacket {
        let block = try wholeBlock(at: start, length: length, minimum: 32)
        let swapped = self.swapped
        let interfaceID = enhanced ? block.word(8, swapped: swapped) : UInt32(block.half(8, swapped: swapped))
        guard Int(interfaceID) < interfaces.count else { throw failure(start, .unknownInterface(interfaceID)) }
        let caplen = block.word(20, swapped: swapped)
        guard caplen <= maxCaptureLength else {
            throw failure(start, .absurdCaptureLength(caplen, limit: maxCaptureLength))
        }
        guard caplen <= length - 32 else {
            throw failure(start, .truncatedRecordData(needed: UInt64(caplen), available: UInt64(length - 32)))
        }
        let interface = interfaces[Int(interfaceID)]
        let ts = interface.timestamp(high: block.word(12, swapped: swapped), low: block.word(16, swapped: swapped))
        stream.consume(Int(length))
        return CapturedPacket(
            sequence: 0, timestamp: ts, wireLength: block.word(24, swapped: swapped), linkType: interface.linkType,
            interfaceID: interfaceID, streamOffset: start,
            bytes: UnsafeRawBufferPointer(rebasing: block[28..<28 + Int(caplen)]))
    }

    /// Simple Packet Block (type 3): interface 0, no timestamp; the captured length
    /// is the smallest of the original length, the block body and the snaplen.
    mutating func readSimplePacketBlock(at start: UInt64, length: UInt32) throws(CaptureError) -> CapturedPacket {
        let block = try wholeBlock(at: start, length: length, minimum: 16)
        guard let interface = interfaces.first else { throw failure(start, .unknownInterface(0)) }
        let wire = block.word(8, swapped: swapped)
        var caplen = min(wire, length - 16)
        if interface.snaplen != 0 { caplen = min(caplen, interface.snaplen) }
        guard caplen <= maxCaptureLength else {
            throw failure(start, .absurdCaptureLength(caplen, limit: maxCaptureLength))
        }
        stream.consume(Int(length))
        return CapturedPacket(
            sequence: 0, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0),
            wireLength: wire, linkType: interface.linkType, interfaceID: 0, streamOffset: start,
            bytes: UnsafeRawBufferPointer(rebasing: block[12..<12 + Int(caplen)]))
    }
}
