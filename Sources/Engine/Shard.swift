import Connections
import PacketDecoding
import Portmapper
import SunRPC

/// The state of the flows of one shard: the connection layer plus, per
/// connection, the RPC analyzer the reference attaches by responder port
/// (111/udp: the UDP message path, 111/tcp: the record-marking stream path).
///
/// A shard sees every packet's clock tick, so its timers fire at the same packet
/// as in a sequential run, and processes only the packets of its own flows. Its
/// output for each dispatch batch is a `RecordBatch` in the reference's dispatch
/// order, tagged by packet and phase; with several shards its tracker adds order
/// notes so the merge can interleave shards as one tracker would have.
///
/// A shard is confined to one thread and its methods never re-enter each other,
/// so its per-packet state skips the dynamic exclusivity checks (a measurable
/// share of the per-packet cost otherwise).
final class Shard {
    @exclusivity(unchecked) var tracker: ConnectionTracker
    let rpcConfiguration: RPCConfiguration
    /// The connection layer's records for the current step (reused).
    let connectionOutput = ConnectionOutputBuffer()
    /// RPC analyzers by connection slot (`ConnectionSlot.index`); attached at
    /// `.connectionCreated` and dropped at `connection_state_remove`.
    /// Two arrays of optionals (rather than one enum) so an analyzer is mutated in
    /// place without copying its call table.
    @exclusivity(unchecked) var udpAnalyzers: [PortmapUDPAnalyzer?] = []
    @exclusivity(unchecked) var tcpAnalyzers: [PortmapTCPAnalyzer?] = []
    /// Counters of analyzers already dropped, plus live ones at the end.
    var rpcStatistics = RPCStatistics()

    /// This shard's index: it processes the packets dispatched to it.
    let index: Int32
    /// In the flush, each group-starting order note opens its flush phase.
    @exclusivity(unchecked) var flushing = false

    init(index: Int = 0, connections: ConnectionConfiguration, rpc: RPCConfiguration) {
        self.index = Int32(index)
        tracker = ConnectionTracker(configuration: connections)
        rpcConfiguration = rpc
    }

    /// Runs every packet of `batch`: its own packets fully, the others' as clock
    /// ticks. Appends to `output` (the caller resets it).
    func run(_ batch: DispatchBatch, into output: RecordBatch) {
        for i in batch.packets.indices {
            let packet = batch.packets[i]
            if packet.shard == index {
                process(packet, of: batch, into: output)
            } else {
                tick(packet, into: output)
            }
        }
    }

    /// A packet owned by another shard: only the clock advances (and, for a TCP
    /// packet reaching lookup, the compressor's pending-SYN expiry). Most ticks
    /// change nothing but network time, which the next call brings up to date
    /// anyway: those are skipped.
    func tick(_ packet: DispatchedPacket, into batch: RecordBatch) {
        let expires = packet.reachesTCPLookup && tracker.hasPendingExpiryDue(at: packet.time)
        guard expires || tracker.hasTimerDue(atNetworkTime: packet.networkTime) else { return }
        batch.begin(sequence: packet.sequence)
        connectionOutput.removeAll()
        tracker.advanceClock(to: packet.clock, into: connectionOutput)
        drainConnectionOutput(into: batch)
        if expires {
            batch.enter(.expiry)
            connectionOutput.removeAll()
            tracker.expirePendingSYNs(at: packet.time, into: connectionOutput)
            drainConnectionOutput(into: batch)
        }
    }

    /// A packet of this shard: timers first, then intake weirds, the compressor's
    /// expiry (TCP), then the connection layer and the RPC analyzers.
    func process(_ packet: DispatchedPacket, of dispatch: DispatchBatch, into batch: RecordBatch) {
        batch.begin(sequence: packet.sequence)
        connectionOutput.removeAll()
        tracker.advanceClock(to: packet.clock, into: connectionOutput)
        drainConnectionOutput(into: batch)

        if packet.weirdEnd > packet.weirdStart {
            batch.enter(.intake)
            let time = tracker.networkTime
            for weird in dispatch.weirds(of: packet) {
                batch.append(.intakeWeird(weird), time: time)
            }
        }
        guard let segment = packet.segment else { return }
        if segment.proto == .tcp {
            // The tracker would expire at lookup itself; doing it as its own phase
            // lets the merge interleave it with the other shards' expiries.
            batch.enter(.expiry)
            connectionOutput.removeAll()
            tracker.expirePendingSYNs(at: packet.time, into: connectionOutput)
            drainConnectionOutput(into: batch)
        }
        batch.enter(.packet)
        connectionOutput.removeAll()
        tracker.process(segment, into: connectionOutput)
        drainConnectionOutput(into: batch)
    }

    /// End of the trace (SEMANTICS-CONN §2.7): every connection is removed. With
    /// order notes, each flush step's records get their own phase.
    func finish(sequence: UInt64, networkTime: Double, into batch: RecordBatch) {
        // Skipped ticks left the clock behind; nothing was due at them, so no timer runs.
        tracker.catchUpNetworkTime(networkTime)
        batch.begin(sequence: sequence, phase: .flushTimers)
        flushing = true
        connectionOutput.removeAll()
        tracker.finish(into: connectionOutput)
        drainConnectionOutput(into: batch)
        flushing = false
        for analyzer in udpAnalyzers { if let analyzer { rpcStatistics.add(analyzer.statistics) } }
        for analyzer in tcpAnalyzers { if let analyzer { rpcStatistics.add(analyzer.statistics) } }
        udpAnalyzers.removeAll()
        tcpAnalyzers.removeAll()
    }
}
