/// The blocks the pcapng walker interprets: section headers, interface
/// descriptions and the three packet block kinds.
extension PcapngParser {
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
