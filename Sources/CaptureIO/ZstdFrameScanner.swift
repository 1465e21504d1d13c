import CZstd

/// One zstd data frame found in the compressed file.
struct ZstdFrame: Sendable {
    /// Ordinal of the frame among all frames of the file (skippable ones included),
    /// as reported in errors.
    var index: Int
    /// Offset of the frame in the compressed file.
    var offset: Int
    /// Compressed size; for a damaged frame, everything up to the end of the file.
    var length: Int
    /// Why the frame's extent could not be determined (truncated file, bad magic,
    /// corrupt header). Such a frame is still decoded as far as it goes, so every
    /// packet before the fault is delivered; then the stream fails.
    var damage: String?
    /// Skippable frames seen before this frame (for statistics).
    var skippableBefore: Int
}

/// Finds frame boundaries on the mapped compressed file, lazily (one frame per
/// call), so memory does not grow with the number of frames. Skippable frames
/// (magic 0x184D2A50...0x184D2A5F) are stepped over and counted.
struct ZstdFrameScanner {
    private let base: UnsafeRawPointer?
    private let count: Int
    private(set) var position = 0
    private(set) var framesSeen = 0
    private(set) var skippableFrames = 0
    private var stopped = false

    init(_ data: UnsafeRawBufferPointer) {
        base = data.baseAddress
        count = data.count
    }

    static func isSkippableMagic(_ magic: UInt32) -> Bool { magic & 0xFFFF_FFF0 == 0x184D_2A50 }

    /// The next data frame, or nil after the last one (or after a damaged frame).
    mutating func next() -> ZstdFrame? {
        while !stopped, position < count, let base {
            let p = base + position
            let rest = count - position
            if rest >= 8 {
                let magic = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
                if Self.isSkippableMagic(magic) {
                    let size = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
                    if 8 + size <= UInt64(rest) {
                        position += 8 + Int(size)
                        framesSeen += 1
                        skippableFrames += 1
                        continue
                    }
                }
            }
            let index = framesSeen
            framesSeen += 1
            let size = ZSTD_findFrameCompressedSize(p, rest)
            if ZSTD_isError(size) != 0 {
                stopped = true
                return ZstdFrame(
                    index: index, offset: position, length: rest,
                    damage: String(cString: ZSTD_getErrorName(size)), skippableBefore: skippableFrames)
            }
            let frame = ZstdFrame(index: index, offset: position, length: size, damage: nil, skippableBefore: skippableFrames)
            position += size
            return frame
        }
        return nil
    }
}

/// Streaming decompression of one frame at a time into caller-provided windows.
/// One per decoding thread (a `ZSTD_DCtx` is not shareable).
struct ZstdFrameDecoder: ~Copyable {
    private let context: OpaquePointer
    private let file: UnsafeRawPointer?
    private var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    private(set) var frame: ZstdFrame?

    /// - Parameter maxWindowLog: refuse frames whose window needs more than
    ///   2^maxWindowLog bytes (the decoder's own history buffer), so memory stays bounded.
    init?(file: UnsafeRawBufferPointer, maxWindowLog: Int) {
        guard let context = ZSTD_createDCtx() else { return nil }
        self.context = context
        self.file = file.baseAddress
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Int32(maxWindowLog))
    }

    deinit { ZSTD_freeDCtx(context) }

    mutating func start(_ frame: ZstdFrame) {
        _ = ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        self.frame = frame
        input = ZSTD_inBuffer(src: file.map { $0 + frame.offset }, size: frame.length, pos: 0)
    }

    struct Fill {
        var count: Int
        var frameDone: Bool
        var fault: String?
    }

    /// Decompresses into `destination` until it is full, the frame ends, or the
    /// data is corrupt/truncated. Output already produced is kept on a fault.
    mutating func fill(_ destination: UnsafeMutableRawPointer, capacity: Int) -> Fill {
        guard let frame else { return Fill(count: 0, frameDone: true, fault: nil) }
        var output = ZSTD_outBuffer(dst: destination, size: capacity, pos: 0)
        while output.pos < output.size {
            let before = (input.pos, output.pos)
            let hint = ZSTD_decompressStream(context, &output, &input)
            if ZSTD_isError(hint) != 0 {
                self.frame = nil
                return Fill(count: output.pos, frameDone: false, fault: String(cString: ZSTD_getErrorName(hint)))
            }
            if hint == 0 {
                self.frame = nil
                if let damage = frame.damage {
                    // Cannot happen for the damage kinds zstd reports, but never trust it.
                    return Fill(count: output.pos, frameDone: false, fault: damage)
                }
                return Fill(count: output.pos, frameDone: true, fault: nil)
            }
            if input.pos == input.size && before == (input.pos, output.pos) {
                self.frame = nil
                let why = frame.damage.map { " (\($0))" } ?? ""
                return Fill(
                    count: output.pos, frameDone: false,
                    fault: "truncated frame: compressed data ends inside the frame" + why)
            }
        }
        return Fill(count: output.pos, frameDone: false, fault: nil)
    }
}
