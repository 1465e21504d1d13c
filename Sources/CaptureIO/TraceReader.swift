/// Several capture files read as one trace, in argument order, with continuous
/// global sequence numbers (the first packet of file 2 follows the last of file 1).
///
/// Files are opened one at a time: the next file is mapped only when the
/// previous one is exhausted, and the previous reader is dropped then. A packet's
/// bytes stay valid until the following `next()` call.
public final class TraceReader {
    public let paths: [String]
    public let options: ReaderOptions
    /// The reader of the file currently being read (nil before the first and after the last).
    public private(set) var current: CaptureReader?
    /// Index in `paths` of the current file.
    public private(set) var fileIndex = 0
    /// Link types of all files opened so far, in order of first appearance.
    public var linkTypes: [LinkType] {
        var all = finishedLinkTypes
        for t in current?.linkTypes ?? [] where !all.contains(t) { all.append(t) }
        return all
    }

    private var nextSequence: UInt64
    private var finished: ReaderStatistics = .init()
    private var finishedLinkTypes: [LinkType] = []
    /// A file that failed to open keeps failing (later files are not read).
    private var openFailure: CaptureError?

    /// - Parameters:
    ///   - paths: the files, in the order their packets are delivered.
    ///   - options: limits applied to each file's reader.
    ///   - firstSequence: sequence number of the trace's first packet.
    /// - Throws: `CaptureError` if the first file cannot be opened; later files are
    ///   opened (and may throw) when reading reaches them.
    public init(paths: [String], options: ReaderOptions = .init(), firstSequence: UInt64 = 0) throws(CaptureError) {
        self.paths = paths
        self.options = options
        self.nextSequence = firstSequence
        try openCurrent()
    }

    /// Counters summed over the files read so far (including the current one).
    public var statistics: ReaderStatistics {
        guard let current else { return finished }
        return finished.adding(current.statistics)
    }

    /// The next packet of the trace, or nil after the last packet of the last file.
    /// - Throws: `CaptureError` naming the file (and offset) that failed; packets
    ///   before the fault have been returned.
    public func next() throws(CaptureError) -> CapturedPacket? {
        if let openFailure { throw openFailure }
        while let reader = current {
            if let packet = try reader.next() {
                nextSequence = packet.sequence &+ 1
                return packet
            }
            try advanceToNextFile()
        }
        return nil
    }

    func throwOpenFailure() throws(CaptureError) {
        if let openFailure { throw openFailure }
    }

    /// The next file continues the sequence numbers after `sequence`.
    func noteDelivered(through sequence: UInt64) {
        nextSequence = sequence &+ 1
    }

    /// The current file is exhausted: keep its counters and open the next one.
    func advanceToNextFile() throws(CaptureError) {
        guard let reader = current else { return }
        finished = finished.adding(reader.statistics)
        finishedLinkTypes = linkTypes
        current = nil
        fileIndex += 1
        try openCurrent()
    }

    private func openCurrent() throws(CaptureError) {
        guard fileIndex < paths.count else { return }
        do {
            current = try CaptureReader(path: paths[fileIndex], options: options, firstSequence: nextSequence)
        } catch {
            openFailure = error
            throw error
        }
    }
}

extension ReaderStatistics {
    /// Field-wise sum (statistics of consecutive files of one trace).
    public func adding(_ other: ReaderStatistics) -> ReaderStatistics {
        var s = self
        s.packets += other.packets
        s.dataBytes += other.dataBytes
        s.copiedBytes += other.copiedBytes
        s.streamBytes += other.streamBytes
        s.fileBytes += other.fileBytes
        s.zstdFrames += other.zstdFrames
        s.zstdSkippableFrames += other.zstdSkippableFrames
        s.windowsFilled += other.windowsFilled
        s.skippedBlocks += other.skippedBlocks
        s.snaplenTruncations += other.snaplenTruncations
        return s
    }
}
