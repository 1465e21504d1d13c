import CZstd

/// Streaming decompression of one frame at a time into caller-provided windows.
/// One per decoding thread (a `ZSTD_DCtx` is not shareable).
struct ZstdFrameDecoder: ~Copyable {
    private let context: OpaquePointer
    private let file: UnsafeRawPointer?
    private var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    private(set) var frame: ZstdFrame?
    /// File offset up to which the compressed input has been consumed (nothing
    /// below it is read again).
    private(set) var consumedEnd = 0

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
        defer { consumedEnd = frame.offset + input.pos }
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
            if before == (input.pos, output.pos) {
                // No progress with room to write: the input ran out inside the frame
                // (or the decoder is stuck, which must not become a busy loop).
                self.frame = nil
                let why = frame.extentProblem(in: file).map { " (\($0))" } ?? ""
                let reason = input.pos == input.size
                    ? "truncated frame: compressed data ends inside the frame" : "decoder made no progress"
                return Fill(count: output.pos, frameDone: false, fault: reason + why)
            }
        }
        return Fill(count: output.pos, frameDone: false, fault: nil)
    }
}
