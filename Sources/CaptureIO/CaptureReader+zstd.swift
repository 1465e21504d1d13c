/// zstd input: the decompressed stream (itself pcap or pcapng) is read through a
/// bounded ring of windows. Several independent frames are decoded on worker
/// threads when `options.decompressionThreads > 1`; a single frame streams on the
/// caller's thread.
extension CaptureReader {
    /// A data frame (0xFD2FB528) or a skippable frame (0x184D2A5?), little-endian.
    static func isZstdMagic(_ magic: UInt32) -> Bool {
        magic == 0xFD2F_B528 || ZstdFrameScanner.isSkippableMagic(magic)
    }

    func openZstd() throws(CaptureError) {
        compression = .zstd
        let ring = ZstdWindowRing(size: max(options.windowSize, 4096), count: max(options.windowCount, 1))
        var producer: (any ZstdWindowProducer)?
        // More decoding threads (the caller's one included) than windows cannot all
        // make progress (a frame decoded ahead needs a window of its own), and each
        // thread owns a zstd context.
        let workers = min(options.decompressionThreads, ring.count, 64)
        if workers > 1 && Self.hasSeveralDataFrames(file) {
            if let parallel = ZstdParallelDecoder(
                file: file, ring: ring, threads: workers, maxWindowLog: options.maxZstdWindowLog) {
                producer = parallel
                decompressionThreadsInUse = parallel.threadCount
            }
        }
        if producer == nil {
            guard let serial = ZstdSerialDecoder(file: file, ring: ring, maxWindowLog: options.maxZstdWindowLog) else {
                throw CaptureError(file: path, offset: 0, problem: .other("cannot allocate a zstd decompression context"))
            }
            producer = serial
            decompressionThreadsInUse = 1
        }
        let stream = ZstdByteStream(path: path, ring: ring, producer: producer!)
        zstdStream = stream
        // Sniff the decompressed stream's own magic.
        let head = try stream.peek(4)
        guard head.count >= 4 else {
            throw CaptureError(file: path, offset: 0, zstdFrame: stream.frameContext, problem: .truncatedFileHeader)
        }
        let magic = head.loadUnaligned(as: UInt32.self)
        if PcapFileHeader.isMagic(magic) {
            let parser = try PcapStreamParser(stream: stream, path: path, options: options)
            format = .pcap
            byteOrder = parser.header.byteOrder
            pcapLinkTypes = [parser.header.linkType]
            pcapZstd = parser
            mode = .pcapZstd
            producer!.announce(PcapRecordLayout(swapped: parser.header.swapped, maxCaptureLength: options.maxCaptureLength))
        } else if magic == PcapngBlockType.sectionHeader {
            var parser = PcapngParser(stream: stream, path: path, options: options)
            try parser.open()
            format = .pcapng
            byteOrder = parser.firstByteOrder
            pcapngZstd = parser
            mode = .pcapngZstd
        } else {
            throw CaptureError(
                file: path, offset: 0, zstdFrame: stream.frameContext, problem: .unknownMagic(UInt32(bigEndian: magic)))
        }
        counters.streamBytes = stream.offset
    }

    /// Whether the file holds at least two data frames (worth decoding in parallel).
    /// Looks at the first two frame headers only.
    /// Whether a second data frame starts within the file's first
    /// `frameScanLimit` bytes: only then are frames decoded in parallel.
    ///
    /// Finding a frame's end walks all its block headers, which maps nearly every
    /// page it spans; a one-frame file of 536 MB then stayed resident whole. So
    /// the walk stops at the limit (a file whose first frame is longer streams on
    /// one thread, like a one-frame file) and its pages are handed back at once.
    static func hasSeveralDataFrames(_ file: MappedFile) -> Bool {
        let prefix = UnsafeRawBufferPointer(rebasing: file.bytes[..<min(file.bytes.count, frameScanLimit)])
        defer { file.dropResidentPages(before: prefix.count) }
        var scanner = ZstdFrameScanner(prefix)
        guard let first = scanner.next(), first.damage == nil else { return false }
        return scanner.next() != nil
    }

    /// How much of a zstd file `hasSeveralDataFrames` reads.
    static let frameScanLimit = 64 << 20
}
