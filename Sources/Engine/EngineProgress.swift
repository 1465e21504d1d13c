import CaptureIO

/// How far reading has got, for progress displays. Reported once per batch of
/// packets read (a few thousand packets), never per packet.
public struct EngineProgress: Sendable {
    /// Packets read from the trace so far (before the filter).
    public var packetsRead: UInt64
    /// The reader's counters (stream bytes consumed, file sizes, zstd frames).
    public var reader: ReaderStatistics
}

/// Called on the dispatcher's thread (the calling thread in one-shard runs, its
/// own thread in threaded runs), so it must not touch engine state.
public typealias EngineProgressObserver = @Sendable (EngineProgress) -> Void
