/// The consumer side of zstd input: a cursor over the decompressed stream as a
/// sequence of windows delivered by a `ZstdWindowProducer`.
///
/// A record that fits in the current window is handed out in place. A record
/// that crosses into the next window(s) is assembled once in the straddle
/// buffer (its size is bounded by the parser's caplen/block limits), and the
/// copy is counted in `copiedBytes`.
///
/// The cursor holds one reference on the window it walks and drops it when it
/// moves to the next one, which happens only inside a later `peek`/`skip`: a
/// packet returned by the reader therefore stays valid until the following call.
/// The straddle buffer is likewise only overwritten by a later `peek`.
final class ZstdByteStream: CaptureByteStream {
    let path: String
    let ring: ZstdWindowRing
    let producer: any ZstdWindowProducer

    // Unchecked exclusivity: only the reading thread touches the cursor, and the
    // dynamic checks would otherwise dominate the per-record cost.

    // Current window (nil base when none).
    @exclusivity(unchecked) var base: UnsafeRawPointer?
    @exclusivity(unchecked) var length = 0
    @exclusivity(unchecked) var position = 0
    @exclusivity(unchecked) var windowIndex: Int?
    @exclusivity(unchecked) var windowFrame: (index: Int, compressedOffset: UInt64) = (0, 0)
    /// Stream offset of byte 0 of the current window (or of the end of the last one).
    @exclusivity(unchecked) var windowStart: UInt64 = 0

    // Straddle buffer: bytes [straddleStart, straddleEnd) are the stream bytes that
    // immediately precede the window cursor.
    @exclusivity(unchecked) var straddle: UnsafeMutableRawPointer?
    @exclusivity(unchecked) var straddleCapacity = 0
    @exclusivity(unchecked) var straddleStart = 0
    @exclusivity(unchecked) var straddleEnd = 0
    @exclusivity(unchecked) var straddleFrame: (index: Int, compressedOffset: UInt64) = (0, 0)

    // Record summaries of the current window: summary `summaryIndex` describes
    // the record at window position `summaryNext`.
    @exclusivity(unchecked) var summaries: UnsafePointer<PcapRecordSummary>?
    @exclusivity(unchecked) var summaryIndex = 0
    @exclusivity(unchecked) var summaryCount = 0
    @exclusivity(unchecked) var summaryNext = 0
    /// Summaries passed over in the windows already left, and passed over
    /// because the cursor had parsed their records itself.
    @exclusivity(unchecked) var summariesInEarlierWindows = 0
    @exclusivity(unchecked) var summariesSkipped = 0

    @exclusivity(unchecked) var ended = false
    @exclusivity(unchecked) var fault: CaptureError?

    // Counters (copied into ReaderStatistics).
    @exclusivity(unchecked) var copiedBytes: UInt64 = 0
    @exclusivity(unchecked) var windowsFilled = 0
    @exclusivity(unchecked) var framesDecoded = 0
    @exclusivity(unchecked) var skippableFrames = 0

    init(path: String, ring: ZstdWindowRing, producer: any ZstdWindowProducer) {
        self.path = path
        self.ring = ring
        self.producer = producer
    }

    deinit {
        if let windowIndex { ring.release(windowIndex) }
        producer.shutdown()
        straddle?.deallocate()
    }

    var offset: UInt64 {
        windowStart + UInt64(position) - UInt64(straddleEnd - straddleStart)
    }

    var frameContext: (index: Int, compressedOffset: UInt64)? {
        straddleEnd > straddleStart ? straddleFrame : windowFrame
    }

    /// The unread bytes of the current window, when no straddle is in progress.
    var restOfWindow: UnsafeRawBufferPointer? {
        guard straddleEnd == straddleStart, let base else { return nil }
        return UnsafeRawBufferPointer(start: base + position, count: length - position)
    }

    /// The window a returned packet slice points into, or nil when it is in the straddle buffer.
    func windowHolding(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base, let windowIndex, let p = bytes.baseAddress else { return nil }
        return p >= base && p <= base + length ? windowIndex : nil
    }

    /// Records handed out from decoding threads' summaries rather than parsed here.
    var recordsTakenFromSummaries: Int { summariesInEarlierWindows + summaryIndex - summariesSkipped }

    /// Whether `takeSummarizedRecord` would return the record at the cursor.
    var hasSummaryAtCursor: Bool {
        summaryIndex < summaryCount && position == summaryNext && straddleEnd == straddleStart
    }

    @inline(__always)
    func takeSummarizedRecord() -> SummarizedPcapRecord? {
        guard summaryIndex < summaryCount, straddleEnd == straddleStart else { return nil }
        if position != summaryNext {
            // A window's first record is parsed here when the cursor reached it
            // from the end of the previous window: catch up along the chain.
            while summaryNext < position {
                summaryNext &+= 16 &+ Int(summaries![summaryIndex].capturedLength)
                summaryIndex &+= 1
                summariesSkipped &+= 1
                if summaryIndex == summaryCount { return nil }
            }
            guard position == summaryNext else {
                // The cursor is not on the walked chain (the frame did not start on
                // a record boundary): parse this window's bytes as usual.
                summaryCount = 0
                return nil
            }
        }
        let summary = summaries![summaryIndex]
        summaryIndex &+= 1
        let record = SummarizedPcapRecord(summary: summary, start: base! + position, offset: windowStart &+ UInt64(position))
        position &+= 16 &+ Int(summary.capturedLength)
        summaryNext = position
        return record
    }

    @inline(__always)
    func peek(_ count: Int) throws(CaptureError) -> UnsafeRawBufferPointer {
        if straddleEnd == straddleStart {
            let rest = length - position
            if rest >= count { return UnsafeRawBufferPointer(start: base! + position, count: rest) }
        } else if straddleEnd - straddleStart >= count {
            return UnsafeRawBufferPointer(start: straddle! + straddleStart, count: straddleEnd - straddleStart)
        }
        return try peekAcrossWindows(count)
    }

    @inline(__always)
    func consume(_ count: Int) {
        if straddleEnd == straddleStart {
            position += count
        } else {
            straddleStart += count
            if straddleStart >= straddleEnd {
                straddleStart = 0
                straddleEnd = 0
            }
        }
    }

    func peekAcrossWindows(_ count: Int) throws(CaptureError) -> UnsafeRawBufferPointer {
        if straddleEnd == straddleStart {
            // At the exact end of a window nothing needs copying: move on.
            while length - position == 0 {
                guard try advanceWindow() else { return UnsafeRawBufferPointer(start: nil, count: 0) }
                if length - position >= count {
                    return UnsafeRawBufferPointer(start: base! + position, count: length - position)
                }
            }
            straddleStart = 0
            straddleEnd = 0
            straddleFrame = windowFrame
        }
        reserveStraddle(count)
        while straddleEnd - straddleStart < count {
            let rest = length - position
            if rest == 0 {
                guard try advanceWindow() else { break }
                continue
            }
            let n = min(rest, count - (straddleEnd - straddleStart))
            (straddle! + straddleEnd).copyMemory(from: base! + position, byteCount: n)
            straddleEnd += n
            position += n
            copiedBytes &+= UInt64(n)
        }
        return UnsafeRawBufferPointer(start: straddle! + straddleStart, count: straddleEnd - straddleStart)
    }

    /// Room for `count` bytes from `straddleStart`, keeping what is already there.
    private func reserveStraddle(_ count: Int) {
        if straddleStart > 0 {
            let kept = straddleEnd - straddleStart
            if kept > 0 { straddle!.copyMemory(from: straddle! + straddleStart, byteCount: kept) }
            straddleStart = 0
            straddleEnd = kept
        }
        guard count > straddleCapacity else { return }
        var capacity = max(straddleCapacity, 4096)
        while capacity < count { capacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        if let old = straddle {
            grown.copyMemory(from: old, byteCount: straddleEnd)
            old.deallocate()
        }
        straddle = grown
        straddleCapacity = capacity
    }

    func skip(_ count: UInt64) throws(CaptureError) -> UInt64 {
        var left = count
        if straddleEnd > straddleStart {
            let n = min(left, UInt64(straddleEnd - straddleStart))
            consume(Int(n))
            left -= n
        }
        while left > 0 {
            let rest = length - position
            if rest == 0 {
                guard try advanceWindow() else { break }
                continue
            }
            let n = Int(min(left, UInt64(rest)))
            position += n
            left -= UInt64(n)
        }
        return count - left
    }

    /// Releases the current window and takes the next one. False at the clean end.
    private func advanceWindow() throws(CaptureError) -> Bool {
        if let windowIndex {
            ring.release(windowIndex)
            self.windowIndex = nil
        }
        windowStart += UInt64(length)
        base = nil
        length = 0
        position = 0
        summariesInEarlierWindows += summaryIndex
        summaryCount = 0
        summaryIndex = 0
        if let fault { throw fault }
        if ended { return false }
        let next: ZstdWindow?
        do {
            next = try producer.nextWindow()
        } catch {
            let failure = CaptureError(
                file: path, offset: windowStart, zstdFrame: (error.frameIndex, error.frameOffset),
                problem: .zstd(error.reason))
            fault = failure
            throw failure
        }
        guard let window = next else {
            ended = true
            skippableFrames = producer.skippableFrames
            return false
        }
        windowIndex = window.index
        base = window.base
        length = window.length
        windowFrame = (window.frameIndex, window.frameOffset)
        summaries = window.summaries.records
        summaryCount = window.summaries.count
        summaryNext = window.summaries.firstRecord
        if window.length > 0 { windowsFilled += 1 }
        if window.endsFrame { framesDecoded += 1 }
        skippableFrames = max(skippableFrames, window.skippableBefore)
        return true
    }
}
