/// Classic pcap records over a `CaptureByteStream` (used for decompressed zstd
/// input; plain files keep the specialised mmap walk in `CaptureReader+pcap`).
/// Same checks and the same error for the same bytes as the mmap walk.
struct PcapStreamParser<Stream: CaptureByteStream> {
    var stream: Stream
    let path: String
    let header: PcapFileHeader
    let maxCaptureLength: UInt32
    let snapshotLimit: UInt32
    /// Records delivered cut to the snaplen (libpcap's behaviour).
    var snaplenTruncations: UInt64 = 0

    /// Reads the file header from the stream.
    init(stream: Stream, path: String, options: ReaderOptions) throws(CaptureError) {
        var stream = stream
        let head = try stream.peek(PcapFileHeader.length)
        guard let header = PcapFileHeader(head) else {
            throw CaptureError(file: path, offset: 0, zstdFrame: stream.frameContext, problem: .truncatedFileHeader)
        }
        stream.consume(PcapFileHeader.length)
        self.stream = stream
        self.path = path
        self.header = header
        self.maxCaptureLength = options.maxCaptureLength
        self.snapshotLimit = header.snapshotLimit(maxCaptureLength: options.maxCaptureLength)
    }

    func failure(_ offset: UInt64, _ problem: CaptureError.Problem) -> CaptureError {
        CaptureError(file: path, offset: offset, zstdFrame: stream.frameContext, problem: problem)
    }

    mutating func nextPacket() throws(CaptureError) -> CapturedPacket? {
        if let record = stream.takeSummarizedRecord() {
            // Already walked (and checked against the same limit) by the thread
            // that decoded the window: no header bytes to read here.
            let caplen = record.summary.capturedLength
            var kept = Int(caplen)
            if caplen > snapshotLimit {
                kept = Int(snapshotLimit)
                snaplenTruncations &+= 1
            }
            return CapturedPacket(
                sequence: 0,
                timestamp: PcapFileHeader.timestamp(
                    seconds: record.summary.seconds, fraction: record.summary.fraction, nanosecond: header.nanosecond),
                wireLength: record.summary.wireLength, linkType: header.linkType, interfaceID: 0,
                streamOffset: record.offset, bytes: UnsafeRawBufferPointer(start: record.start + 16, count: kept))
        }
        let start = stream.offset
        var record = try stream.peek(16)
        if record.count == 0 { return nil }
        guard record.count >= 16 else { throw failure(start, .truncatedRecordHeader) }
        let swapped = header.swapped
        let sec = record.word(0, swapped: swapped)
        let frac = record.word(4, swapped: swapped)
        let caplen = record.word(8, swapped: swapped)
        let wirelen = record.word(12, swapped: swapped)
        guard caplen <= maxCaptureLength else {
            throw failure(start, .absurdCaptureLength(caplen, limit: maxCaptureLength))
        }
        let total = 16 + Int(caplen)
        if record.count < total {
            // The record runs past the current window: the stream copies it once.
            record = try stream.peek(total)
            guard record.count >= total else {
                throw failure(
                    start, .truncatedRecordData(needed: UInt64(caplen), available: UInt64(record.count - 16)))
            }
        }
        stream.consume(total)
        var kept = total
        if caplen > snapshotLimit {
            kept = 16 + Int(snapshotLimit)
            snaplenTruncations &+= 1
        }
        return CapturedPacket(
            sequence: 0,
            timestamp: PcapFileHeader.timestamp(seconds: sec, fraction: frac, nanosecond: header.nanosecond),
            wireLength: wirelen, linkType: header.linkType, interfaceID: 0, streamOffset: start,
            bytes: UnsafeRawBufferPointer(rebasing: record[16..<kept]))
    }
}
