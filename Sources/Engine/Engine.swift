import CaptureIO
import Connections
import PacketDecoding
import Policy
import SunRPC

/// What a replay did, for the summary line and `bench`.
public struct EngineReport: Sendable {
    /// Packets read from the capture files.
    public var packetsRead: UInt64 = 0
    /// Packets that passed the capture filter.
    public var packetsMatched: UInt64 = 0
    public var decoder = DecoderCounters()
    public var connections = ConnectionStatistics()
    public var rpc = RPCStatistics()
    public var output = OutputStatistics()
    /// Why reading stopped early, if it did. The logs still cover every packet
    /// before the fault, followed by the end-of-trace flush.
    public var failure: DispatchFailure?
}

/// The replay pipeline: reader → dispatcher (capture filter, intake, flow hash) →
/// shards (connections, TCP reassembly, RPC and portmapper analysis) → merge →
/// policy → sink.
///
/// Every stage is an owned instance (no globals), so several engines can run side
/// by side. The loop is single-threaded today: the dispatcher hands each packet to
/// its owning shard and a clock tick to every other one, and the merge orders the
/// shards' batches by `RecordTag`; running shards on their own threads only changes
/// who calls them.
///
/// With one shard the output is the reference's, order included. With more, every
/// log holds the same lines (`ShardedEngineTests`), but three orders that the
/// reference takes from global structures are per shard: timers of different
/// shards firing at the same packet, pending-SYN expiries of other shards (before
/// the owner's), and the end-of-trace flush (each shard's hash order in turn). So
/// the CLI does not offer `--shards` yet.
public final class Engine {
    public let configuration: EngineConfiguration

    /// - Throws: `BPFFilterError` when the filter expression does not compile.
    public init(configuration: EngineConfiguration) throws(BPFFilterError) {
        self.configuration = configuration
        // Compile once up front so a bad expression fails before any output exists.
        _ = try BPFFilter(expression: configuration.filterExpression)
    }

    /// Replays `paths` (one trace, in argument order) into `sink`.
    /// - Returns: statistics and, if reading failed, the failure (the sink has
    ///   received everything up to it, flush included).
    /// - Throws: `DispatchFailure` only if the first file cannot be opened, or the
    ///   filter cannot be compiled; nothing was written then.
    public func run<Sink: EngineSink>(paths: [String], sink: Sink) throws(DispatchFailure) -> EngineReport {
        let reader: TraceReader
        do {
            reader = try TraceReader(paths: paths, options: configuration.reader)
        } catch {
            throw .capture(error)
        }
        let filter: BPFFilter
        do {
            filter = try BPFFilter(expression: configuration.filterExpression)
        } catch {
            // Compiled successfully in init; only a link-type-specific failure can
            // get here, and `matches` already treats those as non-matching.
            preconditionFailure("filter compiled in init no longer compiles: \(error)")
        }
        let decoder = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: configuration.verifyChecksums))
        let shardCount = max(1, configuration.shardCount)
        let dispatcher = Dispatcher(reader: reader, filter: filter, decoder: decoder, shardCount: shardCount)
        let shards = (0..<shardCount).map { _ in
            Shard(connections: configuration.effectiveConnections, rpc: configuration.rpc)
        }
        let batches = (0..<shardCount).map { _ in RecordBatch() }
        var merge = Merge()
        let stage = PolicyStage(configuration: configuration.policy, sink: sink,
                                recordEvents: configuration.recordEvents)

        var report = EngineReport()
        var lastSequence: UInt64 = 0
        while true {
            let packet: DispatchedPacket
            do {
                guard let next = try dispatcher.next() else { break }
                packet = next
            } catch {
                report.failure = error
                break
            }
            lastSequence = packet.sequence
            for index in 0..<shardCount {
                if index == packet.shard {
                    shards[index].process(packet, into: batches[index])
                } else {
                    shards[index].tick(packet, into: batches[index])
                }
            }
            merge.merge(batches)
            stage.consume(merge.order, of: batches, time: shards[packet.shard].tracker.networkTime)
        }

        // End of trace (or the fault): flush every shard, then the scripts' bro_done.
        let flushSequence = lastSequence &+ 1
        for index in 0..<shardCount {
            shards[index].finish(sequence: flushSequence, into: batches[index])
        }
        merge.merge(batches)
        let endTime = shards.map(\.tracker.networkTime).max() ?? 0
        stage.consume(merge.order, of: batches, time: endTime)
        stage.finish(time: endTime)

        report.packetsRead = dispatcher.packetsRead
        report.packetsMatched = dispatcher.packetsMatched
        report.decoder = decoder.counters
        for shard in shards {
            report.connections.add(shard.tracker.statistics)
            report.rpc.add(shard.rpcStatistics)
        }
        report.output = stage.statistics
        return report
    }
}

extension ConnectionStatistics {
    /// Field-wise sum over shards.
    mutating func add(_ other: ConnectionStatistics) {
        udpConnectionsCreated += other.udpConnectionsCreated
        tcpConnectionsCreated += other.tcpConnectionsCreated
        pendingSYNsCreated += other.pendingSYNsCreated
        connectionsRemoved += other.connectionsRemoved
        timersFired += other.timersFired
        timerLimitHits += other.timerLimitHits
        awaitingAckBytesDropped += other.awaitingAckBytesDropped
        liveConnections += other.liveConnections
        pendingSYNs += other.pendingSYNs
    }
}
