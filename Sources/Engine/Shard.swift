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
/// output for each packet is a `RecordBatch` in the reference's dispatch order.
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

    init(connections: ConnectionConfiguration, rpc: RPCConfiguration) {
        tracker = ConnectionTracker(configuration: connections)
        rpcConfiguration = rpc
    }

    /// A packet owned by another shard: only the clock advances (and, for a TCP
    /// packet reaching lookup, the compressor's pending-SYN expiry).
    func tick(_ packet: DispatchedPacket, into batch: RecordBatch) {
        batch.begin(sequence: packet.sequence)
        connectionOutput.removeAll()
        tracker.advanceClock(to: packet.time, into: connectionOutput)
        drainConnectionOutput(into: batch)
        if packet.reachesTCPLookup {
            batch.enter(.expiry)
            connectionOutput.removeAll()
            tracker.expirePendingSYNs(at: packet.time, into: connectionOutput)
            drainConnectionOutput(into: batch)
        }
    }

    /// A packet of this shard: timers first, then intake weirds, then the
    /// connection layer and the RPC analyzers.
    func process(_ packet: DispatchedPacket, into batch: RecordBatch) {
        batch.begin(sequence: packet.sequence)
        connectionOutput.removeAll()
        tracker.advanceClock(to: packet.time, into: connectionOutput)
        drainConnectionOutput(into: batch)

        batch.enter(.packet)
        let time = tracker.networkTime
        for weird in packet.weirds {
            batch.append(.intakeWeird(weird), time: time)
        }
        guard case .datagram(let datagram) = packet.intake,
              let segment = TransportSegment(datagram: datagram, time: packet.time, packetSequence: packet.sequence)
        else { return }
        connectionOutput.removeAll()
        tracker.process(segment, into: connectionOutput)
        drainConnectionOutput(into: batch)
    }

    /// End of the trace (SEMANTICS-CONN §2.7): every connection is removed.
    func finish(sequence: UInt64, into batch: RecordBatch) {
        batch.begin(sequence: sequence)
        batch.enter(.flush)
        connectionOutput.removeAll()
        tracker.finish(into: connectionOutput)
        drainConnectionOutput(into: batch)
        for analyzer in udpAnalyzers { if let analyzer { rpcStatistics.add(analyzer.statistics) } }
        for analyzer in tcpAnalyzers { if let analyzer { rpcStatistics.add(analyzer.statistics) } }
        udpAnalyzers.removeAll()
        tcpAnalyzers.removeAll()
    }
}
