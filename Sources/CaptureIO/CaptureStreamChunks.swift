import CZstd

/// The raw pcap/pcapng byte stream of a capture file, plain or zstd-compressed,
/// delivered in chunks of bounded size. For tools that need the container's
/// bytes verbatim (packing, hashing) rather than its packets.
public enum CaptureStreamChunks {
    /// Calls `body` with consecutive pieces of the (decompressed) stream.
    /// - Parameters:
    ///   - path: a plain or zstd-compressed capture file (decided by magic number).
    ///   - chunkBytes: the largest piece handed to `body`.
    ///   - body: receives each piece; the buffer is only valid during the call.
    /// - Returns: whether the file was zstd-compressed.
    /// - Throws: `CaptureError` for unreadable or corrupt compressed input, or
    ///   whatever `body` throws.
    @discardableResult
    public static func forEach(
        inFile path: String, chunkBytes: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> CaptureCompression {
        let file = try MappedFile(path: path)
        let bytes = file.bytes
        let magic = bytes.count >= 4 ? UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)) : 0
        let isZstd = magic == 0xFD2F_B528 || magic & 0xFFFF_FFF0 == 0x184D_2A50
        guard isZstd else {
            var start = 0
            while start < bytes.count {
                let end = min(start + chunkBytes, bytes.count)
                try body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end
            }
            return .none
        }
        try decompress(bytes, file: path, chunkBytes: chunkBytes, body)
        return .zstd
    }

    private static func decompress(
        _ bytes: UnsafeRawBufferPointer, file: String, chunkBytes: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let context = ZSTD_createDCtx() else {
            throw CaptureError(file: file, offset: 0, problem: .zstd("cannot create a decompression context"))
        }
        defer { ZSTD_freeDCtx(context) }
        let outBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkBytes, 1 << 16), alignment: 16)
        defer { outBuffer.deallocate() }
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        var produced: UInt64 = 0
        var frameIndex = 0
        var frameStart = 0
        var lastResult = 0
        while input.pos < input.size {
            var output = ZSTD_outBuffer(dst: outBuffer.baseAddress, size: outBuffer.count, pos: 0)
            let result = ZSTD_decompressStream(context, &output, &input)
            if ZSTD_isError(result) != 0 {
                throw CaptureError(
                    file: file, offset: produced, zstdFrame: (frameIndex, UInt64(frameStart)),
                    problem: .zstd(String(cString: ZSTD_getErrorName(result))))
            }
            if output.pos > 0 {
                try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(outBuffer)[0..<output.pos]))
                produced += UInt64(output.pos)
            }
            lastResult = result
            // 0 means a frame is complete and fully flushed; the next byte starts a new one.
            if result == 0 {
                frameIndex += 1
                frameStart = input.pos
            }
        }
        // Flush what the decoder may still hold for the final frame.
        while lastResult != 0 {
            var output = ZSTD_outBuffer(dst: outBuffer.baseAddress, size: outBuffer.count, pos: 0)
            let result = ZSTD_decompressStream(context, &output, &input)
            if ZSTD_isError(result) != 0 {
                throw CaptureError(
                    file: file, offset: produced, zstdFrame: (frameIndex, UInt64(frameStart)),
                    problem: .zstd(String(cString: ZSTD_getErrorName(result))))
            }
            if output.pos > 0 {
                try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(outBuffer)[0..<output.pos]))
                produced += UInt64(output.pos)
            } else if result != 0 {
                // No progress and the frame is unfinished: the file ends inside it.
                throw CaptureError(
                    file: file, offset: produced, zstdFrame: (frameIndex, UInt64(frameStart)),
                    problem: .zstd("file ends inside a frame"))
            }
            lastResult = result
        }
    }
}
