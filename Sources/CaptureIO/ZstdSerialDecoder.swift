/// Decompresses frames one after another on the caller's thread, filling one
/// window each time the consumer runs out of bytes (single-frame files, or
/// `decompressionThreads == 1`).
final class ZstdSerialDecoder: ZstdWindowProducer {
    private let ring: ZstdWindowRing
    private let file: MappedFile
    private var scanner: ZstdFrameScanner
    private var decoder: ZstdFrameDecoder
    /// Frame being decoded (nil between frames).
    private var frame: ZstdFrame?
    private var pendingFault: ZstdFault?

    init?(file: MappedFile, ring: ZstdWindowRing, maxWindowLog: Int) {
        guard let decoder = ZstdFrameDecoder(file: file.bytes, maxWindowLog: maxWindowLog) else { return nil }
        self.file = file
        self.ring = ring
        self.scanner = ZstdFrameScanner(file.bytes)
        self.decoder = decoder
    }

    var skippableFrames: Int { scanner.skippableFrames }

    func shutdown() {}

    func nextWindow() throws(ZstdFault) -> ZstdWindow? {
        if let pendingFault { throw pendingFault }
        while true {
            if frame == nil {
                guard let next = scanner.nextUnmeasured() else { return nil }
                frame = next
                decoder.start(next)
            }
            let current = frame!
            // The cursor released its window before asking, so only unreleased
            // batches can hold them all: wait for one (back-pressure).
            let window = ring.takeFreeWaiting()
            let fill = decoder.fill(ring.base(window), capacity: ring.size)
            // Compressed pages the decoder has passed count towards RSS like any
            // mapped page: a 1 GB trace compressed 2:1 would keep 500 MB resident.
            file.releasePages(before: decoder.consumedEnd)
            if fill.frameDone { scanner.frameEnded(at: decoder.consumedEnd) }
            if fill.frameDone || fill.fault != nil { frame = nil }
            if let reason = fill.fault {
                let fault = ZstdFault(reason: reason, frameIndex: current.index, frameOffset: UInt64(current.offset))
                pendingFault = fault
                if fill.count == 0 {
                    ring.returnUnused(window)
                    throw fault
                }
            }
            // Empty windows (an empty frame, or a frame whose epilogue alone was
            // left) are still delivered when they end a frame, so frame counts match
            // the parallel decoder's.
            if fill.count == 0 && !fill.frameDone {
                ring.returnUnused(window)
                continue
            }
            ring.deliver(window)
            return ZstdWindow(
                index: window, base: UnsafeRawPointer(ring.base(window)), length: fill.count,
                frameIndex: current.index, frameOffset: UInt64(current.offset),
                endsFrame: fill.frameDone, skippableBefore: current.skippableBefore)
        }
    }
}
