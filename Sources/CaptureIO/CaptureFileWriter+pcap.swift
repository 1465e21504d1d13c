/// Classic pcap layout (the libpcap savefile format, draft-ietf-opsawg-pcap):
/// a 24-byte file header, then per packet a 16-byte record header and the bytes.
extension CaptureFileWriter {
    func writePcapFileHeader(_ interface: Interface) {
        // The magic is written in the file's byte order; readers detect the order from it.
        append(interface.precision == .nano ? UInt32(0xA1B2_3C4D) : UInt32(0xA1B2_C3D4))
        append(UInt16(2))  // version major
        append(UInt16(4))  // version minor
        append(UInt32(0))  // reserved (thiszone)
        append(UInt32(0))  // reserved (sigfigs)
        append(interface.snaplen)
        append(interface.linkType.rawValue)
    }

    func writePcapRecord(timestamp: CaptureTimestamp, wireLength: UInt32, bytes: UnsafeRawBufferPointer) throws(CaptureWriteError) {
        guard timestamp.seconds >= 0, timestamp.seconds <= Int64(UInt32.max) else {
            throw CaptureWriteError(file: path, problem: "timestamp \(timestamp.decimalString) does not fit a pcap record")
        }
        append(UInt32(timestamp.seconds))
        append(interfaces[0].precision.fraction(of: timestamp))
        append(UInt32(bytes.count))
        append(wireLength)
        scratch.append(contentsOf: bytes)
        try flushScratch()
    }
}
