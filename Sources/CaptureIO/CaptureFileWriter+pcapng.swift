/// pcapng layout (draft-ietf-opsawg-pcapng): blocks of
/// `type, total length, body, total length`, every body padded to 32 bits.
extension CaptureFileWriter {
    static let sectionHeaderBlockType: UInt32 = 0x0A0D_0D0A
    static let interfaceDescriptionBlockType: UInt32 = 0x0000_0001
    static let enhancedPacketBlockType: UInt32 = 0x0000_0006
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    static let optionEndOfOptions: UInt16 = 0
    static let optionInterfaceTimestampResolution: UInt16 = 9

    func writeSectionHeaderBlock() {
        let length: UInt32 = 28
        append(Self.sectionHeaderBlockType)
        append(length)
        append(Self.byteOrderMagic)  // in the section's byte order: this is how readers learn it
        append(UInt16(1))  // major version
        append(UInt16(0))  // minor version
        append(UInt64.max)  // section length -1: not specified
        append(length)
    }

    func writeInterfaceDescriptionBlock(_ interface: Interface) {
        // Fixed part (20 bytes incl. both length fields) + if_tsresol option
        // (4-byte header, 1 byte value padded to 4) + opt_endofopt (4).
        let length: UInt32 = 20 + 8 + 4
        append(Self.interfaceDescriptionBlockType)
        append(length)
        append(UInt16(truncatingIfNeeded: interface.linkType.rawValue))
        append(UInt16(0))  // reserved
        append(interface.snaplen)
        // if_tsresol: a power of ten (top bit clear) giving the timestamp unit.
        append(Self.optionInterfaceTimestampResolution)
        append(UInt16(1))
        scratch.append(interface.precision == .nano ? 9 : 6)
        scratch.append(contentsOf: [0, 0, 0])
        append(Self.optionEndOfOptions)
        append(UInt16(0))
        append(length)
    }

    func writeEnhancedPacketBlock(
        timestamp: CaptureTimestamp, wireLength: UInt32, bytes: UnsafeRawBufferPointer, interface: UInt32
    ) throws(CaptureWriteError) {
        let precision = interfaces[Int(interface)].precision
        guard timestamp.seconds >= 0 else {
            throw CaptureWriteError(file: path, problem: "negative timestamp \(timestamp.decimalString)")
        }
        let (wholeTicks, overflow) = UInt64(timestamp.seconds).multipliedReportingOverflow(by: precision.ticksPerSecond)
        guard !overflow else {
            throw CaptureWriteError(file: path, problem: "timestamp \(timestamp.decimalString) does not fit 64-bit ticks")
        }
        let ticks = wholeTicks + UInt64(precision.fraction(of: timestamp))
        let padding = (4 - bytes.count % 4) % 4
        let length = UInt32(32 + bytes.count + padding)
        append(Self.enhancedPacketBlockType)
        append(length)
        append(interface)
        append(UInt32(truncatingIfNeeded: ticks >> 32))  // timestamp, upper 32 bits
        append(UInt32(truncatingIfNeeded: ticks))  // timestamp, lower 32 bits
        append(UInt32(bytes.count))  // captured length
        append(wireLength)  // original length
        scratch.append(contentsOf: bytes)
        scratch.append(contentsOf: repeatElement(0, count: padding))
        append(length)
        try flushScratch()
    }
}
