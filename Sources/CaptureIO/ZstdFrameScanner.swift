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
    /// False for a frame handed out by `nextUnmeasured`: its extent is not known
    /// yet (`length` runs to the end of the file) and the decoder finds its end.
    var isMeasured = true

    /// Why the frame's extent cannot be determined, computed now (nil when it can):
    /// what `damage` would have said had the frame been measured.
    func extentProblem(in file: UnsafeRawPointer?) -> String? {
        if isMeasured { return damage }
        guard let file else { return nil }
        let size = ZSTD_findFrameCompressedSize(file + offset, length)
        return ZSTD_isError(size) != 0 ? String(cString: ZSTD_getErrorName(size)) : nil
    }
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
        next(measuring: true)
    }

    /// The next data frame without walking its blocks to find its end: a decoder
    /// that streams the frame finds the end itself and reports it with
    /// `frameEnded(at:)`. Measuring touches every block header, which faults in
    /// nearly every page of a large frame before decoding starts (a 536 MB
    /// one-frame file kept 540 MB resident).
    mutating func nextUnmeasured() -> ZstdFrame? {
        next(measuring: false)
    }

    /// Where the frame from `nextUnmeasured` ended (the decoder consumed it up to there).
    mutating func frameEnded(at end: Int) {
        position = min(max(position, end), count)
    }

    private mutating func next(measuring: Bool) -> ZstdFrame? {
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
            if !measuring {
                return ZstdFrame(index: index, offset: position, length: rest, damage: nil,
                                 skippableBefore: skippableFrames, isMeasured: false)
            }
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
