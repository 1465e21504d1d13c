import PacketDecoding

/// Per-connection state of the UDP message path (the reference's binpac
/// RPC_UDP_BINPAC analyzer on 111/udp, SEMANTICS-RPC §1.2).
///
/// Each datagram is one complete message. The whole message is parsed first;
/// a parse failure becomes the single weird `bad_RPC: binpac exception: ...`
/// and nothing else of that datagram happens. Only then does call or reply
/// processing run, in the reference's order.
///
/// The connection layer owns timers: it calls `connectionRemoved` when the
/// 24-s RPC expiry fires or input ends.
public struct RPCUDPAnalyzer<Program: RPCProgram>: Sendable {
    /// The connection every event is raised for.
    public let connection: ConnectionID
    /// Pending calls by xid.
    @usableFromInline var calls: RPCCallTable<Program.CallArguments>
    /// What this analyzer saw and dropped.
    @usableFromInline var counters: RPCStatistics

    /// Pending calls by xid (read-only view).
    @inlinable public var pendingCalls: RPCCallTable<Program.CallArguments> { calls }
    /// What this analyzer saw and dropped.
    @inlinable public var statistics: RPCStatistics { counters }

    /// - Parameters:
    ///   - connection: originator/responder as the connection layer decided them.
    ///   - configuration: limits (pending-call cap).
    @inlinable
    public init(connection: ConnectionID, configuration: RPCConfiguration = RPCConfiguration()) {
        self.connection = connection
        self.calls = RPCCallTable(capacity: configuration.maximumPendingCalls)
        self.counters = RPCStatistics()
    }

    /// Processes one UDP payload.
    /// - Parameters:
    ///   - payload: the datagram's payload (IP-derived length, completely captured).
    ///   - isOrig: whether the originator sent it.
    ///   - time: network time of the packet.
    ///   - events: receives the events in dispatch order.
    @inlinable
    public mutating func deliver(_ payload: UnsafeRawBufferPointer, isOrig: Bool, time: Double,
                                 into events: inout RPCEventBuffer<Program.Event>) {
        counters.messages &+= 1
        let stamp = RPCEventStamp(time: time, connection: connection)
        let eventMark = events.events.count
        let payloadMark = events.payloadWords.count
        do throws(BinpacException) {
            try process(payload, isOrig: isOrig, stamp: stamp, events: &events)
        } catch {
            // Processing starts only after the message parsed, so anything
            // appended belongs to a parse that did not finish: drop it.
            // (A recorded message header stays: the header itself was read.)
            if events.events.count > eventMark { events.events.removeSubrange(eventMark...) }
            events.truncatePayload(to: payloadMark)
            events.append(.weird(.binpac(error)), at: stamp)
        }
    }

    /// The connection is being removed (RPC expiry or end of input): every
    /// pending call fails with RPC_TIMEOUT in ascending unsigned xid order,
    /// raising only the program's failure event (no `rpc_call`).
    /// - Parameters:
    ///   - time: network time of the packet (or last packet) that triggered removal.
    @inlinable
    public mutating func connectionRemoved(time: Double, into events: inout RPCEventBuffer<Program.Event>) {
        guard calls.count > 0 else { return }
        let stamp = RPCEventStamp(time: time, connection: connection)
        for xid in calls.xidsAscending {
            guard let call = calls[xid] else { continue }
            counters.timedOutCalls &+= 1
            if let arguments = call.arguments,
               let event = Program.failureEvent(procedure: call.procedure, arguments: arguments, status: .timeout) {
                events.append(.program(event), at: stamp)
            }
        }
        calls.removeAll()
    }
}
