import CShims

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
    /// Size of one zstd decompression window.
    public var windowSize: Int = 4 << 20
    /// Number of windows in the zstd ring (and of frames decoded ahead in parallel).
    public var windowCount: Int = 4
    /// Threads used to decompress independent zstd frames (1 = streaming on the caller's thread).
    public var decompressionThreads: Int = 2
    /// A record claiming more captured bytes than this is treated as corrupt.
    public var maxCaptureLength: UInt32 = 262_144

    public init() {}
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
    public init() {}
}

/// Reads one capture file: classic pcap (µs/ns, either byte order) or pcapng,
/// plain (memory-mapped, zero-copy) or zstd-compressed. The format is decided by
/// the magic number, never by the file name.
///
/// Packet bytes handed out by `next()` point into the mapping (plain files) or
/// into a decompression window (zstd). They remain valid at least until the
/// following call to `next()`; plain-file slices stay valid for the reader's lifetime.
public final class CaptureReader {
    public let path: String
    public let options: ReaderOptions
    public internal(set) var format: CaptureFormat = .pcap
    public internal(set) var byteOrder: CaptureByteOrder = .littleEndian
    public internal(set) var compression: CaptureCompression = .none
    /// Link types in order of first appearance (pcap: exactly one; pcapng: one per interface).
    public internal(set) var linkTypes: [LinkType] = []
    public internal(set) var statistics: ReaderStatistics {
        get { counters }
        _modify { yield &counters }
        set { counters = newValue }
    }
    /// The storage behind `statistics`. Internal (not public, not
    /// @usableFromInline) so that the optimiser sees every access and can drop
    /// the dynamic exclusivity checks it would otherwise make per packet.
    var counters = ReaderStatistics()

    @usableFromInline let file: MappedFile
    // Per-packet state stays internal (no @usableFromInline): a class property
    // visible outside the module gets a dynamic exclusivity check (a runtime
    // call) on every access, which cost ~260 instructions per packet.
    var nextSequence: UInt64

    // Classic pcap state.
    var pcap = PcapState()

    /// - Parameters:
    ///   - path: the capture file.
    ///   - options: memory and threading limits.
    ///   - firstSequence: sequence number of this file's first packet (a trace of
    ///     several files continues numbering across them).
    public convenience init(path: String, options: ReaderOptions = .init(), firstSequence: UInt64 = 0) throws(CaptureError) {
        try self.init(file: try MappedFile(path: path), options: options, firstSequence: firstSequence)
    }

    /// Reads from an already mapped (or borrowed in-memory) file.
    public init(file: MappedFile, options: ReaderOptions = .init(), firstSequence: UInt64 = 0) throws(CaptureError) {
        self.path = file.path
        self.options = options
        self.nextSequence = firstSequence
        self.file = file
        statistics.fileBytes = UInt64(file.bytes.count)
        let magic = file.bytes.count >= 4 ? file.bytes.loadUnaligned(as: UInt32.self) : 0
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1:
            try openPcap(file.bytes)
        default:
            guard file.bytes.count >= 4 else {
                throw CaptureError(file: path, offset: 0, problem: .truncatedFileHeader)
            }
            throw CaptureError(file: path, offset: 0, problem: .unknownMagic(UInt32(bigEndian: magic)))
        }
    }

    /// The next packet, or `nil` at the clean end of the file.
    /// - Throws: `CaptureError` naming the file and offset of corrupt input; every
    ///   packet before the fault has already been returned.
    public func next() throws(CaptureError) -> CapturedPacket? {
        try nextPcapPacket()
    }
}
