/// A filled decompression window handed to the consumer, in stream order.
/// A window never holds bytes of two frames, so the window layout (and hence
/// which records straddle) is the same however many threads decode.
struct ZstdWindow {
    var index: Int
    var base: UnsafeRawPointer
    var length: Int
    /// The frame these bytes come from.
    var frameIndex: Int
    var frameOffset: UInt64
    /// This is the frame's last window.
    var endsFrame: Bool
    /// Skippable frames that precede the frame in the file.
    var skippableBefore: Int
    /// Record headers walked by the thread that decoded the window (parallel decoding only).
    var summaries: ZstdWindowSummaries = .none
}

/// Why decompression stopped, with the frame it happened in.
struct ZstdFault: Error {
    var reason: String
    var frameIndex: Int
    var frameOffset: UInt64
}

/// Delivers decompressed windows in stream order: `ZstdSerialDecoder` on the
/// caller's thread, or `ZstdParallelDecoder` with frames decoded ahead on worker
/// threads. Called once per window, never per packet.
protocol ZstdWindowProducer: AnyObject {
    /// The next window (the consumer holds its only reference), nil at the clean end.
    /// Throws when the compressed data is corrupt or truncated, after every window
    /// before the fault has been delivered. Blocks while unreleased batches hold
    /// every window.
    func nextWindow() throws(ZstdFault) -> ZstdWindow?
    /// Skippable frames in the whole file; valid once `nextWindow` returned nil.
    var skippableFrames: Int { get }
    /// Stops worker threads (if any) and waits for them.
    func shutdown()
    /// The stream holds classic pcap records laid out this way: decoding threads
    /// may summarise the records of the windows they decode from now on.
    func announce(_ layout: PcapRecordLayout)
}

extension ZstdWindowProducer {
    /// Decoding on the consumer's own thread: it walks windows while they are hot anyway.
    func announce(_ layout: PcapRecordLayout) {}
}

