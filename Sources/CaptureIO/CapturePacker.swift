import CZstd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One zstd frame written by `CapturePacker`.
public struct PackedFrame: Sendable, Equatable {
    /// 0-based frame number.
    public var index: Int
    /// Where the frame starts in the compressed file, and its compressed size.
    public var compressedOffset: UInt64
    public var compressedBytes: Int
    /// Size of the frame header (magic included), so tools can find the first block.
    public var headerBytes: Int
    /// Where the frame's content starts in the decompressed stream, and its size.
    public var streamOffset: UInt64
    public var streamBytes: Int
    /// Packet records (pcap records, pcapng packet blocks) inside the frame.
    public var packetRecords: Int
}

/// Writes a pcap or pcapng byte stream as a sequence of independent zstd frames
/// that each end on a record boundary (pcapng: a block boundary). The first frame
/// starts with the file header; every other frame starts with a record, so a
/// reader can decompress frames in parallel and parse each one on its own.
///
/// Frames hold at most `frameBytes` of content unless a single record is larger
/// (then that record is a frame by itself), so a reader whose decompression
/// windows are `frameBytes` large never has to copy a record across windows.
/// Every frame records its content size and an XXH64 checksum.
///
/// The bytes are copied verbatim; nothing is decoded beyond record lengths.
/// Memory: one frame of pending input plus one compression buffer.
public final class CapturePacker {
    public let outputPath: String
    public let frameBytes: Int
    public let level: Int32
    /// Frames written so far.
    public private(set) var frames: [PackedFrame] = []
    /// Set by `finish()` when the input ended inside a record: the offset of that
    /// record in the stream. Those trailing bytes are still packed, verbatim.
    public private(set) var truncatedRecordOffset: UInt64?

    private var boundaries: CaptureRecordBoundaries
    private var pending: [UInt8] = []
    /// Stream offset of `pending[0]`.
    private var pendingStreamOffset: UInt64 = 0
    /// Offset in `pending` of the first record not yet scanned; everything before
    /// it is whole records.
    private var scanned = 0
    private var packetsBeforeScanned = 0
    private var compressedOffset: UInt64 = 0
    private var compressed: [UInt8] = []
    private let context: OpaquePointer
    private var output: UnsafeMutablePointer<FILE>?

    /// - Parameters:
    ///   - outputPath: the `.pcap.zst` / `.pcapng.zst` file to create.
    ///   - inputName: the input's name, used in errors.
    ///   - frameBytes: maximum content per frame (one oversized record excepted).
    ///   - level: zstd compression level.
    /// - Throws: `CaptureWriteError` if the output cannot be created or the level is out of range.
    public init(outputPath: String, inputName: String, frameBytes: Int, level: Int32) throws(CaptureWriteError) {
        self.outputPath = outputPath
        self.frameBytes = max(frameBytes, 1)
        self.level = level
        self.boundaries = CaptureRecordBoundaries(file: inputName)
        guard level >= ZSTD_minCLevel(), level <= ZSTD_maxCLevel() else {
            throw CaptureWriteError(file: outputPath, problem: "zstd level \(level) outside \(ZSTD_minCLevel())...\(ZSTD_maxCLevel())")
        }
        guard let context = ZSTD_createCCtx() else {
            throw CaptureWriteError(file: outputPath, problem: "cannot create a zstd compression context")
        }
        self.context = context
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1)
        guard let output = fopen(outputPath, "wb") else {
            throw CaptureWriteError(file: outputPath, problem: "cannot create: " + String(cString: strerror(errno)))
        }
        self.output = output
    }

    deinit {
        ZSTD_freeCCtx(context)
        if let output { fclose(output) }
    }

    /// Feeds the next bytes of the stream; writes every frame that is complete.
    /// - Throws: `CaptureError` for input that is not pcap/pcapng or has an
    ///   impossible record length, `CaptureWriteError` if writing fails.
    public func append(_ chunk: UnsafeRawBufferPointer) throws {
        pending.append(contentsOf: chunk)
        while true {
            let found = try pending.withUnsafeBytes { (bytes) throws(CaptureError) in
                try boundaries.recordEnd(in: bytes, at: scanned, streamOffset: pendingStreamOffset + UInt64(scanned))
            }
            guard let found else { break }
            var end = found.end
            if end > frameBytes && scanned > 0 {
                // This record would overflow the frame: close the frame before it.
                let emitted = scanned
                try writeFrame(contentBytes: emitted, packetRecords: packetsBeforeScanned)
                end -= emitted
            }
            scanned = end
            if found.isPacket { packetsBeforeScanned += 1 }
        }
    }

    /// Writes the last frame (whatever remains, a trailing partial record included)
    /// and closes the file.
    /// - Returns: every frame written.
    /// - Throws: `CaptureWriteError` if writing fails.
    @discardableResult
    public func finish() throws -> [PackedFrame] {
        if scanned < pending.count {
            truncatedRecordOffset = pendingStreamOffset + UInt64(scanned)
        }
        if !pending.isEmpty {
            try writeFrame(contentBytes: pending.count, packetRecords: packetsBeforeScanned)
        }
        guard let output else { return frames }
        self.output = nil
        let failed = fflush(output) != 0 || ferror(output) != 0
        if fclose(output) != 0 || failed {
            throw CaptureWriteError(file: outputPath, problem: "write failed: " + String(cString: strerror(errno)))
        }
        return frames
    }

    private func writeFrame(contentBytes: Int, packetRecords: Int) throws(CaptureWriteError) {
        let bound = ZSTD_compressBound(contentBytes)
        if compressed.count < bound { compressed = [UInt8](repeating: 0, count: bound) }
        let size = compressed.withUnsafeMutableBytes { out in
            pending.withUnsafeBytes { src in
                // One ZSTD_compress2 call is one complete, independent frame.
                ZSTD_compress2(context, out.baseAddress, out.count, src.baseAddress, contentBytes)
            }
        }
        if ZSTD_isError(size) != 0 {
            throw CaptureWriteError(file: outputPath, problem: "zstd: " + String(cString: ZSTD_getErrorName(size)))
        }
        let written = compressed.withUnsafeBytes { fwrite($0.baseAddress, 1, size, output) }
        guard written == size else {
            throw CaptureWriteError(file: outputPath, problem: "write failed: " + String(cString: strerror(errno)))
        }
        frames.append(PackedFrame(
            index: frames.count, compressedOffset: compressedOffset, compressedBytes: size,
            headerBytes: Self.frameHeaderBytes(descriptor: compressed[4]),
            streamOffset: pendingStreamOffset, streamBytes: contentBytes, packetRecords: packetRecords))
        compressedOffset += UInt64(size)
        pending.removeFirst(contentBytes)
        pendingStreamOffset += UInt64(contentBytes)
        scanned -= min(scanned, contentBytes)
        packetsBeforeScanned = 0
    }

    /// Size of a zstd frame header from its Frame_Header_Descriptor byte
    /// (RFC 8878 section 3.1.1.1): magic, descriptor, optional window
    /// descriptor, dictionary id and frame content size fields.
    static func frameHeaderBytes(descriptor: UInt8) -> Int {
        let contentSizeFlag = Int(descriptor >> 6)
        let singleSegment = descriptor & 0x20 != 0
        let dictionaryIDBytes = [0, 1, 2, 4][Int(descriptor & 3)]
        let contentSizeBytes = contentSizeFlag == 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][contentSizeFlag]
        return 4 + 1 + (singleSegment ? 0 : 1) + dictionaryIDBytes + contentSizeBytes
    }
}
