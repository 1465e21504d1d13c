import CaptureIO
import Connections
import Policy
import SunRPC

/// Everything a replay depends on besides its input bytes. The output is a pure
/// function of (input bytes, this value).
public struct EngineConfiguration: Sendable {
    /// Verify IP/UDP/TCP checksums (false = the reference's `-C`, `--no-checksums`).
    public var verifyChecksums: Bool
    /// Capture filter (tcpdump syntax); the reference's scripts give `port 111`.
    public var filterExpression: String
    /// Script-level settings (portmapper, weird, notice tables).
    public var policy: PolicyConfiguration
    /// Per-connection RPC limits.
    public var rpc: RPCConfiguration
    /// Connection-layer tunables; `checksumsEnabled` is overridden by `verifyChecksums`.
    public var connections: ConnectionConfiguration
    /// Limits applied to each capture file's reader.
    public var reader: ReaderOptions
    /// Produce events.log lines (SEMANTICS-RPC §6) for every event, including weirds the
    /// policy suppresses.
    public var recordEvents: Bool
    /// Number of shards flows are spread over. The output does not depend on it.
    public var shardCount: Int
    /// Run the pipeline on threads (default): a dispatcher thread, one thread per
    /// shard, a merge-and-policy thread, and the calling thread writing the logs,
    /// for one shard as for many. False runs everything in turn on the calling
    /// thread (same output; for tests and debugging).
    public var usesThreads = true
    /// With threads: read the trace on a thread of its own, ahead of the dispatcher
    /// (reading a single zstd frame, decompression included, then overlaps with
    /// filtering and decoding instead of adding to them).
    public var readsAhead = true
    /// Raw packets the dispatcher reads per batch (a zstd batch also ends with its
    /// window). Each batch crosses four thread hand-offs; where few packets pass the
    /// filter, 2,048 made those dominate: a 1 shard rpc2.pcap replay switched
    /// context 4,900-5,600 times, 1,600-1,700 times with 8,192.
    public var batchSize = 8192
    /// Dispatch batches in flight between the dispatcher and the merge (threaded runs).
    public var batchesInFlight = 4
    /// Where the pipeline stops (`bench` measures each stage this way); `.write` = a replay.
    public var lastStage = EngineStage.write

    public init(
        verifyChecksums: Bool = true, filterExpression: String = BPFFilter.defaultExpression,
        policy: PolicyConfiguration = PolicyConfiguration(), rpc: RPCConfiguration = RPCConfiguration(),
        connections: ConnectionConfiguration = ConnectionConfiguration(), reader: ReaderOptions = ReaderOptions(),
        recordEvents: Bool = false, shardCount: Int = 1
    ) {
        self.verifyChecksums = verifyChecksums
        self.filterExpression = filterExpression
        self.policy = policy
        self.rpc = rpc
        self.connections = connections
        self.reader = reader
        self.recordEvents = recordEvents
        self.shardCount = shardCount
    }

    /// The connection configuration actually used (checksum mode applied).
    var effectiveConnections: ConnectionConfiguration {
        var c = connections
        c.checksumsEnabled = verifyChecksums
        return c
    }

    /// Reader options for a run: a threaded run keeps up to `batchesInFlight`
    /// batches (each may pin one zstd window) while the dispatcher reads the next,
    /// so the window ring must be larger than that or the reader would wait forever.
    func readerOptions(shardCount: Int) -> ReaderOptions {
        var options = reader
        if usesThreads {
            let readAheadMargin = readsAhead ? TraceReadAhead.windowMargin(depth: 2) : 0
            options.windowCount = max(options.windowCount, max(1, batchesInFlight) + 2 + readAheadMargin)
        }
        return options
    }
}
