
/// On-disk container format (after any decompression).
public enum CaptureFormat: String, Sendable {
    case pcap
    case pcapng
}

/// Byte order of a pcap file or of a pcapng section.
public enum CaptureByteOrder: String, Sendable {
    case littleEndian = "little-endian"
    case bigEndian = "big-endian"
}

public enum CaptureCompression: String, Sendable {
    case none
    case zstd
}

/// Tunables of a reader. Memory use is bounded by these, never by the file.
public struct ReaderOptions: Sendable {
    /// Size of one zstd decompression window. 1 MiB keeps a window in the
    /// core's L2 cache between being decompressed and being walked: against raw
    /// libzstd, 4 MiB windows ran at 0.76x, 1 MiB ones at 0.94-1.02x (`rpcreplay bench`).
    public var windowSize: Int = 1 << 20
    /// Number of windows in the zstd ring (and of frames decoded ahead in parallel).
    /// Enough small windows for a second thread to decode a frame ahead of the
    /// consumer: with only 4 of 1 MiB two threads gained nothing on 16 MiB frames.
    public var windowCount: Int = 16
    /// Threads used to decompress independent zstd frames, the caller's own
    /// included: N means N−1 worker threads plus the reading thread, which decodes
    /// every Nth frame itself (1 = streaming on the caller's thread only).
    public var decompressionThreads: Int = 2
    /// A record claiming more captured bytes than this is treated as corrupt.
    public var maxCaptureLength: UInt32 = 262_144
    /// Largest pcapng block (section header, interface description, packet block)
    /// the reader makes contiguous; longer ones are reported as a bad block length.
    /// The effective limit is never below `maxCaptureLength` + 64 KiB (packet plus
    /// options). Other block types are skipped whatever their length.
    public var maxBlockLength: UInt32 = 1 << 20
    /// Interface Description Blocks allowed in one pcapng section.
    public var maxInterfacesPerSection: Int = 4096
    /// zstd frames whose history window exceeds 2^maxZstdWindowLog bytes are refused
    /// (each decoding thread allocates that window); 27 is zstd's own default limit.
    public var maxZstdWindowLog: Int = 27

    public init() {}

    /// The block limit actually applied (see `maxBlockLength`).
    var effectiveMaxBlockLength: UInt32 {
        let packetBlock = UInt64(maxCaptureLength) + 65_536
        return UInt32(min(max(UInt64(maxBlockLength), packetBlock), UInt64(UInt32.max & ~3)))
    }
}

/// Counters a reader keeps; `info --stats` and `bench` print them.
public struct ReaderStatistics: Sendable, Equatable {
    public var packets: UInt64 = 0
    /// Sum of caplen over delivered packets.
    public var dataBytes: UInt64 = 0
    /// Bytes copied out of the mapping/windows (only records straddling two windows).
    public var copiedBytes: UInt64 = 0
    /// Bytes of the (decompressed) stream consumed so far.
    public var streamBytes: UInt64 = 0
    /// Size of the file on disk.
    public var fileBytes: UInt64 = 0
    /// zstd frames decoded (data frames) and skippable frames ignored.
    public var zstdFrames: Int = 0
    public var zstdSkippableFrames: Int = 0
    /// Decompression windows filled.
    public var windowsFilled: Int = 0
    /// pcapng blocks skipped because their type is unknown or irrelevant.
    public var skippedBlocks: UInt64 = 0
    /// Classic pcap records longer than the file's snaplen, delivered cut to it
    /// (as libpcap does).
    public var snaplenTruncations: UInt64 = 0
    public init() {}
}

/// Reads one capture file: classic pcap (µs/ns, either byte order) or pcapng,
/// plain (memory-mapped, zero-copy) or zstd-compressed. The format is decided by
/// the magic number, never by the file name.
///
/// Packet bytes handed out by `next()` point into the mapping (plain files) or
/// into a decompression window (zstd). They remain valid at least until the
/// following call to `next()`; plain-file slices stay valid for the reader's lifetime.
/// To keep packets longer (e.g. across threads) use `nextBatch(into:maxPackets:)`.
///
/// zstd input is decompressed into a ring of `options.windowCount` windows of
/// `options.windowSize` bytes; only records crossing a window boundary are
/// copied (`statistics.copiedBytes`). Files of several independent frames are
/// decoded on up to `options.decompressionThreads` threads (the reading thread
/// is one of them).
///
/// A reader is used from one thread at a time.
public final class CaptureReader {
    public let path: String
    public let options: ReaderOptions
    public internal(set) var format: CaptureFormat = .pcap
    public internal(set) var byteOrder: CaptureByteOrder = .littleEndian
    public internal(set) var compression: CaptureCompression = .none

    /// Link types in order of first appearance (pcap: exactly one; pcapng: one per
    /// distinct interface link type seen so far, over all sections).
    public var linkTypes: [LinkType] {
        switch mode {
        case .pcapMapped, .pcapZstd: return pcapLinkTypes
        case .pcapngMapped: return pcapngMapped?.linkTypes ?? []
        case .pcapngZstd: return pcapngZstd?.linkTypes ?? []
        }
    }

    /// Counters so far (packets, bytes, copies, zstd frames and windows, skipped blocks).
    public var statistics: ReaderStatistics {
        var s = counters
        switch mode {
        case .pcapMapped: break
        case .pcapngMapped: s.skippedBlocks = pcapngMapped?.skippedBlocks ?? 0
        case .pcapZstd: s.snaplenTruncations = pcapZstd?.snaplenTruncations ?? 0
        case .pcapngZstd: s.skippedBlocks = pcapngZstd?.skippedBlocks ?? 0
        }
        if let z = zstdStream {
            s.copiedBytes = z.copiedBytes + counters.copiedBytes
            s.windowsFilled = z.windowsFilled
            s.zstdFrames = z.framesDecoded
            s.zstdSkippableFrames = z.skippableFrames
        }
        return s
    }

    // Hot per-packet state is marked `@exclusivity(unchecked)`: a reader is used by
    // one thread without reentrancy, and the dynamic access checks Swift otherwise
    // emits for class properties cost more than the pcap record walk itself.
    @usableFromInline let file: MappedFile
    @usableFromInline @exclusivity(unchecked) var nextSequence: UInt64
    @usableFromInline @exclusivity(unchecked) var counters = ReaderStatistics()

    /// Which walker serves `next()`.
    enum Mode { case pcapMapped, pcapngMapped, pcapZstd, pcapngZstd }
    @exclusivity(unchecked) var mode = Mode.pcapMapped

    // Classic pcap state (plain files: the specialised mmap walk).
    @usableFromInline @exclusivity(unchecked) var pcap = PcapState()
    var pcapLinkTypes: [LinkType] = []
    // The other walkers; exactly one is set, matching `mode`.
    @exclusivity(unchecked) var pcapngMapped: PcapngParser<MappedByteStream>?
    @exclusivity(unchecked) var pcapZstd: PcapStreamParser<ZstdByteStream>?
    @exclusivity(unchecked) var pcapngZstd: PcapngParser<ZstdByteStream>?
    @exclusivity(unchecked) var zstdStream: ZstdByteStream?
    /// The error that stopped pcapng/zstd reading (thrown again by later calls).
    @exclusivity(unchecked) var failure: CaptureError?
    /// Threads decompressing zstd frames: 0 for plain files, 1 when frames are
    /// decoded on the caller's thread only, N when N−1 workers share the frames
    /// with the caller's thread.
    public internal(set) var decompressionThreadsInUse = 0

    /// - Parameters:
    ///   - path: the capture file.
    ///   - options: memory and threading limits.
    ///   - firstSequence: sequence number of this file's first packet (a trace of
    ///     several files continues numbering across them).
    public convenience init(path: String, options: ReaderOptions = .init(), firstSequence: UInt64 = 0) throws(CaptureError) {
        try self.init(file: try MappedFile(path: path), options: options, firstSequence: firstSequence)
    }

    /// Reads from an already mapped (or borrowed in-memory) file.
    /// - Throws: `CaptureError` when the file is not a capture or its headers are corrupt.
    public init(file: MappedFile, options: ReaderOptions = .init(), firstSequence: UInt64 = 0) throws(CaptureError) {
        self.path = file.path
        self.options = options
        self.nextSequence = firstSequence
        self.file = file
        counters.fileBytes = UInt64(file.bytes.count)
        guard file.bytes.count >= 4 else {
            throw CaptureError(file: path, offset: 0, problem: .truncatedFileHeader)
        }
        let magic = file.bytes.loadUnaligned(as: UInt32.self)
        if PcapFileHeader.isMagic(magic) {
            try openPcap(file.bytes)
        } else if magic == PcapngBlockType.sectionHeader {
            try openPcapng(file.bytes)
        } else if Self.isZstdMagic(UInt32(littleEndian: magic)) {
            try openZstd()
        } else {
            throw CaptureError(file: path, offset: 0, problem: .unknownMagic(UInt32(bigEndian: magic)))
        }
    }

    /// The next packet, or `nil` at the clean end of the file.
    ///
    /// The packet's bytes stay valid at least until the following call (plain
    /// files: for the reader's lifetime).
    /// - Throws: `CaptureError` naming the file and offset of corrupt input; every
    ///   packet before the fault has already been returned.
    public func next() throws(CaptureError) -> CapturedPacket? {
        if mode == .pcapMapped { return try nextPcapPacket() }
        return try nextFromParser()
    }

    /// pcapng and zstd input: the generic walkers, then numbering and counters.
    /// A failure is sticky: once thrown, every later call throws it again (a
    /// skipped block may have moved the cursor before its trailer was found bad).
    func nextFromParser() throws(CaptureError) -> CapturedPacket? {
        if let failure { throw failure }
        do {
            return try nextFromParserUnchecked()
        } catch {
            failure = error
            throw error
        }
    }

    private func nextFromParserUnchecked() throws(CaptureError) -> CapturedPacket? {
        var packet: CapturedPacket?
        switch mode {
        case .pcapMapped: return try nextPcapPacket()
        case .pcapngMapped:
            packet = try pcapngMapped!.nextPacket()
            counters.streamBytes = pcapngMapped!.stream.offset
        case .pcapZstd:
            packet = try pcapZstd!.nextPacket()
            counters.streamBytes = zstdStream!.offset
        case .pcapngZstd:
            packet = try pcapngZstd!.nextPacket()
            counters.streamBytes = zstdStream!.offset
        }
        guard var p = packet else { return nil }
        p.sequence = nextSequence
        nextSequence &+= 1
        counters.packets &+= 1
        counters.dataBytes &+= UInt64(p.bytes.count)
        return p
    }
}
