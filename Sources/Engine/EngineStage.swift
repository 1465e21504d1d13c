import CaptureIO

/// How far down the pipeline a run goes, for `rpcreplay bench`'s per-stage costs:
/// running the same trace with each cut-off in turn gives cumulative times whose
/// differences are the stages' own costs. Anything short of `.write` produces
/// no logs (or, for `.policy`, hands them to whatever sink the caller gives,
/// typically one that discards them); statistics then cover the stages run only.
public enum EngineStage: Int, Sendable, Comparable, CaseIterable {
    /// The reader only: batches of raw packets, as the dispatcher reads them.
    case read
    /// + capture filter, packet intake (decoding, fragments) and shard choice.
    case decode
    /// + shards (connections, TCP reassembly, RPC and portmapper) and the merge.
    case analyze
    /// + the weird/notice/portmapper policy.
    case policy
    /// + the sink (logs written): the whole replay.
    case write

    public static func < (lhs: EngineStage, rhs: EngineStage) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Engine {
    /// The run for `lastStage` `.read` or `.decode`: the dispatcher's own reading
    /// (same reader options, same batch size) without anything behind it.
    func runFrontOnly(_ dispatcher: Dispatcher) -> EngineReport {
        var report = EngineReport()
        report.shardCount = dispatcher.shardCount
        if configuration.lastStage == .read {
            var batch = PacketBatch()
            var packets: UInt64 = 0
            do {
                while true {
                    let count = try dispatcher.readRaw(into: &batch)
                    if count == 0 { break }
                    packets &+= UInt64(count)
                }
            } catch {
                report.failure = .capture(error)
            }
            batch.release()
            report.packetsRead = packets
            return report
        }
        let batch = DispatchBatch()
        repeat { dispatcher.fill(batch) } while !batch.isLast
        report.packetsRead = dispatcher.packetsRead
        report.packetsMatched = dispatcher.packetsMatched
        report.decoder = dispatcher.decoder.counters
        report.failure = batch.failure
        return report
    }
}
