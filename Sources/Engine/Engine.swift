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
    /// Shards the run used (1 after a sequential fallback from the fallback packet on).
    public var shardCount = 1
    /// Set when a sharded run met a packet it could not place exactly and finished
    /// sequentially from there (the output is the one-shard output all the same).
    public var fallback: SequentialFallback?
    /// Why reading stopped early, if it did. The logs still cover every packet
    /// before the fault, followed by the end-of-trace flush.
    public var failure: DispatchFailure?
}

/// Where and why a sharded run continued on one shard.
public struct SequentialFallback: Sendable, Hashable {
    /// Sequence number of the first packet replayed sequentially.
    public var packetSequence: UInt64
    public var reason: ShardDivergence
}

/// The replay pipeline: reader → dispatcher (capture filter, intake, flow hash) →
/// shards (connections, TCP reassembly, RPC and portmapper analysis) → merge →
/// policy → sink.
///
/// Every stage is an owned instance (no globals), so several engines can run side
/// by side. The output is a pure function of (input bytes, configuration) and does
/// not depend on `shardCount`: with several shards the merge rebuilds the
/// reference's global orders from the shards' order notes (`Merge`), and where a
/// global limit would make shards diverge from a single one the run continues
/// sequentially (`SequentialFallback`).
///
/// Threads (with `usesThreads`, the default): a dispatcher thread reads, filters
/// and decodes ahead; N shard threads run the flows; a merge thread runs the
/// policy; the calling thread writes the logs. One shard is the same pipeline with
/// N = 1 (its merge is a pass-through), so even a one-shard run spreads its stages
/// over the cores. Batches travel through bounded queues (`ShardPipeline`).
/// Without threads everything runs in turn on the calling thread.
public final class Engine {
    public let configuration: EngineConfiguration
    /// Optional observer called once per batch of packets read (see `EngineProgress`).
    public var progress: EngineProgressObserver?

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
        let shardCount = max(1, configuration.shardCount)
        let dispatcher = try makeDispatcher(paths: paths, shardCount: shardCount)
        if configuration.lastStage < .analyze { return runFrontOnly(dispatcher) }
        if shardCount == 1 && !configuration.usesThreads {
            let stage = PolicyStage(configuration: configuration.policy, sink: sink,
                                    recordEvents: configuration.recordEvents)
            stage.isBypassed = configuration.lastStage < .policy
            return runSequentially(dispatcher, stage: stage, resumingAt: nil, afterBatch: {})
        }
        // The policy's sink calls are recorded and replayed on this thread, so the
        // policy can run elsewhere (threaded runs) while this thread writes the logs.
        let deferred = DeferredSink()
        let stage = PolicyStage(configuration: configuration.policy, sink: deferred,
                                recordEvents: configuration.recordEvents)
        stage.isBypassed = configuration.lastStage < .policy
        let relay = { deferred.current.replay(into: sink) }
        let outcome = configuration.usesThreads
            ? runOnThreads(dispatcher, shardCount: shardCount, stage: stage, deferred: deferred, sink: sink)
            : runInterleaved(dispatcher, shardCount: shardCount, stage: stage, afterBatch: relay)
        switch outcome {
        case .finished(let report):
            return report
        case .diverged(let fallback):
            // Replay from the start on one shard, handing the policy only the
            // packets it has not seen yet: everything before the divergent packet
            // was placed exactly, so the policy's state is the sequential one.
            let fresh: Dispatcher
            do {
                fresh = try makeDispatcher(paths: paths, shardCount: 1)
            } catch {
                preconditionFailure("the trace opened once and no longer opens: \(error)")
            }
            var report = runSequentially(fresh, stage: stage, resumingAt: fallback.packetSequence, afterBatch: relay)
            report.fallback = fallback
            return report
        }
    }

    private func makeDispatcher(paths: [String], shardCount: Int) throws(DispatchFailure) -> Dispatcher {
        let reader: TraceReader
        do {
            reader = try TraceReader(paths: paths, options: configuration.readerOptions(shardCount: shardCount))
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
        return Dispatcher(reader: reader, filter: filter, decoder: decoder, shardCount: shardCount,
                          batchSize: configuration.batchSize, progress: progress,
                          readAhead: configuration.usesThreads && configuration.readsAhead)
    }

    func makeShards(_ count: Int) -> [Shard] {
        var connections = configuration.effectiveConnections
        connections.reportsOrderNotes = count > 1
        return (0 ..< count).map { Shard(index: $0, connections: connections, rpc: configuration.rpc) }
    }

    /// One shard, one thread. With `resumingAt`, packets before that sequence
    /// number are replayed without reaching the policy (a fallback's catch-up).
    /// `afterBatch` runs after each batch's records reached the policy, and after the flush.
    private func runSequentially<Sink: EngineSink>(
        _ dispatcher: Dispatcher, stage: PolicyStage<Sink>, resumingAt resume: UInt64?, afterBatch: () -> Void
    ) -> EngineReport {
        let shards = makeShards(1)
        let batch = DispatchBatch()
        let outputs = [RecordBatch()]
        var merge = Merge(shardCount: 1, configuration: configuration.effectiveConnections)
        var failure: DispatchFailure? = nil
        while true {
            dispatcher.fill(batch)
            outputs[0].reset()
            merge.beginBatches()
            shards[0].run(batch, into: outputs[0])
            // Indices, not `for packet in`: an unoptimized build boxes each element
            // of the generic iterator (the allocation test runs unoptimized).
            for i in batch.packets.indices {
                let packet = batch.packets[i]
                if let resume, packet.sequence < resume {
                    merge.skipPacket(packet, batches: outputs)
                    continue
                }
                _ = merge.placePacket(packet, batches: outputs)
                stage.consume(merge.order, of: outputs, time: packet.networkTime)
            }
            afterBatch()
            if batch.isLast {
                failure = batch.failure
                break
            }
        }
        flush(shards, outputs: outputs, merge: &merge, last: batch, stage: stage)
        afterBatch()
        return report(dispatcher, shards: shards, stage: stage, failure: failure)
    }

    /// Several shards on the calling thread, in turn per batch: the sharded
    /// placement without threads (tests, and a reference for the threaded run).
    func runInterleaved<Sink: EngineSink>(
        _ dispatcher: Dispatcher, shardCount: Int, stage: PolicyStage<Sink>, afterBatch: () -> Void
    ) -> ShardedOutcome {
        let shards = makeShards(shardCount)
        let batch = DispatchBatch()
        let outputs = (0 ..< shardCount).map { _ in RecordBatch() }
        var merge = Merge(shardCount: shardCount, configuration: configuration.effectiveConnections)
        var failure: DispatchFailure? = nil
        while true {
            dispatcher.fill(batch)
            merge.beginBatches()
            for s in 0 ..< shardCount {
                outputs[s].reset()
                shards[s].run(batch, into: outputs[s])
            }
            for i in batch.packets.indices {
                let packet = batch.packets[i]
                if let divergence = merge.placePacket(packet, batches: outputs) {
                    afterBatch()
                    return .diverged(SequentialFallback(packetSequence: packet.sequence, reason: divergence))
                }
                stage.consume(merge.order, of: outputs, time: packet.networkTime)
            }
            afterBatch()
            if batch.isLast {
                failure = batch.failure
                break
            }
        }
        flush(shards, outputs: outputs, merge: &merge, last: batch, stage: stage)
        afterBatch()
        return .finished(report(dispatcher, shards: shards, stage: stage, failure: failure))
    }

    /// End of trace (or the fault): every shard's flush (`last` is the trace's last
    /// batch), placed by the merge, then the scripts' bro_done.
    func flush<Sink: EngineSink>(
        _ shards: [Shard], outputs: [RecordBatch], merge: inout Merge, last: DispatchBatch, stage: PolicyStage<Sink>
    ) {
        for (s, shard) in shards.enumerated() {
            outputs[s].reset()
            shard.finish(sequence: last.flushSequence, networkTime: last.endNetworkTime, into: outputs[s])
        }
        placeFlush(outputs, merge: &merge, last: last, stage: stage)
    }

    func placeFlush<Sink: EngineSink>(
        _ outputs: [RecordBatch], merge: inout Merge, last: DispatchBatch, stage: PolicyStage<Sink>
    ) {
        merge.placeFlush(batches: outputs)
        stage.consume(merge.order, of: outputs, time: last.endNetworkTime)
        stage.finish(time: last.endNetworkTime)
    }

    func report<Sink: EngineSink>(
        _ dispatcher: Dispatcher, shards: [Shard], stage: PolicyStage<Sink>, failure: DispatchFailure?
    ) -> EngineReport {
        var report = EngineReport()
        report.packetsRead = dispatcher.packetsRead
        report.packetsMatched = dispatcher.packetsMatched
        report.decoder = dispatcher.decoder.counters
        report.shardCount = shards.count
        for shard in shards {
            report.connections.add(shard.tracker.statistics)
            report.rpc.add(shard.rpcStatistics)
        }
        report.output = stage.statistics
        report.failure = failure
        return report
    }
}

/// How a sharded run ended.
enum ShardedOutcome {
    case finished(EngineReport)
    /// Stopped before placing the packet named by the fallback; the policy has
    /// seen every earlier packet.
    case diverged(SequentialFallback)
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

