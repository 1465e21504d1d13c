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
