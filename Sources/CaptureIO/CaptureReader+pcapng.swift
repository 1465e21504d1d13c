/// pcapng over the mapping: blocks are walked in place, nothing is copied.
extension CaptureReader {
    func openPcapng(_ data: UnsafeRawBufferPointer) throws(CaptureError) {
        var parser = PcapngParser(stream: MappedByteStream(data: data), path: path, options: options)
        try parser.open()
        format = .pcapng
        byteOrder = parser.firstByteOrder
        counters.streamBytes = parser.stream.offset
        pcapngMapped = parser
        mode = .pcapngMapped
    }
}
