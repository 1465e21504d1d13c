/// The frames one decoding thread of `ZstdParallelDecoder` owns, with that
/// thread's own zstd context.
///
/// Frames are dealt round-robin: data frame `s` (in file order) belongs to lane
/// `s % laneCount`. Every lane walks the frame headers itself (a cheap scan over
/// block headers), so no thread ever asks another which frame comes next, and the
/// frame-to-thread assignment (hence who decodes what) is fixed and reproducible.
struct ZstdFrameLane: ~Copyable {
    let lane: Int
    let laneCount: Int
    private var decoder: ZstdFrameDecoder
    private var scanner: ZstdFrameScanner
    /// Data frames the scanner has returned so far.
    private(set) var scanned = 0
    /// Sequence number of the lane's next frame to start.
    private var nextStart: Int
    /// The frame being decoded, its sequence number and the number of its next window.
    private(set) var current: (frame: ZstdFrame, sequence: Int, piece: Int)?
    /// The scanner ran out: the file holds exactly `scanned` data frames.
    private(set) var exhausted = false
    /// The walk over the current frame's pcap records, window after window.
    private var summarizer = PcapRecordSummarizer()
    /// Bytes decoded between two steps of the record walk (well inside L2).
    static var walkChunk: Int { 64 << 10 }

    init?(file: UnsafeRawBufferPointer, lane: Int, laneCount: Int, maxWindowLog: Int) {
        guard let decoder = ZstdFrameDecoder(file: file, maxWindowLog: maxWindowLog) else { return nil }
        self.decoder = decoder
        self.scanner = ZstdFrameScanner(file)
        self.lane = lane
        self.laneCount = laneCount
        self.nextStart = lane
    }

    /// Skippable frames in the whole file, once `exhausted`.
    var skippableFrames: Int { scanner.skippableFrames }

    /// Sequence number of the frame this lane decodes next (in progress or not
    /// yet started); nil once the file has no more frames for it.
    var upcomingSequence: Int? {
        if let current { return current.sequence }
        return exhausted ? nil : nextStart
    }

    /// Makes sure a frame is in progress, starting the lane's next one if needed.
    /// False when the file holds no more frames for this lane.
    mutating func startFrameIfNeeded() -> Bool {
        if current != nil { return true }
        while !exhausted {
            guard let frame = scanner.next() else {
                exhausted = true
                break
            }
            scanned += 1
            if scanned - 1 == nextStart {
                decoder.start(frame)
                summarizer.startFrame(atStreamStart: nextStart == 0)
                current = (frame, nextStart, 0)
                nextStart += laneCount
                return true
            }
        }
        return false
    }

    /// Decodes the current frame's next window into `destination` (a frame must be
    /// in progress). The frame is finished when the piece ends it or faults.
    /// With a `layout`, also summarises the window's pcap records into `summaries`
    /// (room for `summaryCapacity`) while its bytes are in this thread's cache.
    mutating func fillNext(
        _ destination: UnsafeMutableRawPointer, capacity: Int, window: Int,
        layout: PcapRecordLayout?, summaries: UnsafeMutablePointer<PcapRecordSummary>, summaryCapacity: Int
    ) -> ZstdDecodedPiece {
        let (frame, sequence, piece) = current!
        summarizer.beginWindow(layout: layout, into: summaries, capacity: summaryCapacity)
        var fill: ZstdFrameDecoder.Fill
        if layout == nil {
            fill = decoder.fill(destination, capacity: capacity)
        } else {
            // Decode in chunks small enough to stay in this core's cache until the
            // walk has read their record headers.
            var produced = 0
            repeat {
                fill = decoder.fill(destination + produced, capacity: min(Self.walkChunk, capacity - produced))
                produced += fill.count
                summarizer.walk(destination, produced: produced)
            } while produced < capacity && !fill.frameDone && fill.fault == nil
            fill.count = produced
        }
        let walked = summarizer.finishWindow(destination, length: fill.count)
        let ends = fill.frameDone || fill.fault != nil
        current = ends ? nil : (frame, sequence, piece + 1)
        return ZstdDecodedPiece(
            sequence: sequence, piece: piece,
            window: ZstdWindow(
                index: window, base: UnsafeRawPointer(destination), length: fill.count,
                frameIndex: frame.index, frameOffset: UInt64(frame.offset),
                endsFrame: ends, skippableBefore: frame.skippableBefore, summaries: walked),
            fault: fill.fault.map { ZstdFault(reason: $0, frameIndex: frame.index, frameOffset: UInt64(frame.offset)) })
    }
}

/// One decoded window of a frame, waiting to be delivered in stream order.
struct ZstdDecodedPiece {
    /// The frame's number among data frames (file order).
    var sequence: Int
    /// The window's number within the frame.
    var piece: Int
    var window: ZstdWindow
    var fault: ZstdFault?
}
