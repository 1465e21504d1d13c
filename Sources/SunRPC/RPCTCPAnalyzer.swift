import PacketDecoding

/// Per-connection state of the TCP message path (the reference's PORTMAPPER
/// analyzer on 111/tcp, SEMANTICS-RPC §1.3): a record-marking reassembler per
/// direction feeding one interpreter.
///
/// The connection layer delivers each direction's bytes strictly in order
/// (normally one TCP segment's payload per call), reports content gaps, and
/// reports the end of the connection. TCP calls never time out.
public struct RPCTCPAnalyzer<Program: RPCProgram>: Sendable {
    /// The connection every event is raised for.
    public let connection: ConnectionID
    @usableFromInline var originatorStream: RecordMarkingReassembler
    @usableFromInline var responderStream: RecordMarkingReassembler
    @usableFromInline var interpreter: RPCTCPInterpreter<Program>
    @usableFromInline var counters: RPCStatistics

    /// - Parameters:
    ///   - connection: originator/responder as the connection layer decided them.
    ///   - configuration: limits (pending-call cap).
    @inlinable
    public init(connection: ConnectionID, configuration: RPCConfiguration = RPCConfiguration()) {
        self.connection = connection
        originatorStream = RecordMarkingReassembler()
        responderStream = RecordMarkingReassembler()
        interpreter = RPCTCPInterpreter(configuration: configuration)
        counters = RPCStatistics()
    }

    /// What this analyzer saw and dropped.
    @inlinable public var statistics: RPCStatistics { counters }
    /// Pending calls by xid.
    @inlinable public var pendingCalls: RPCCallTable<Program.CallArguments> { interpreter.pendingCalls }
    /// The originator's reassembler (its phase decides `partial_RPC_request`).
    @inlinable public var originatorReassembler: RecordMarkingReassembler { originatorStream }
    /// The responder's reassembler.
    @inlinable public var responderReassembler: RecordMarkingReassembler { responderStream }

    /// Delivers in-order stream bytes of one direction.
    /// - Parameters:
    ///   - chunk: the next bytes of that direction (one delivery of the TCP reassembler).
    ///   - isOrig: whether they come from the originator.
    ///   - time: network time of the packet that caused the delivery.
    ///   - events: receives the events in dispatch order.
    @inlinable
    public mutating func deliverStream(_ chunk: UnsafeRawBufferPointer, isOrig: Bool, time: Double,
                                       into events: inout RPCEventBuffer<Program.Event>) {
        let stamp = RPCEventStamp(time: time, connection: connection)
        if isOrig {
            originatorStream.deliver(chunk, isOrig: true, stamp: stamp, interpreter: &interpreter,
                                     events: &events, statistics: &counters)
        } else {
            responderStream.deliver(chunk, isOrig: false, stamp: stamp, interpreter: &interpreter,
                                    events: &events, statistics: &counters)
        }
    }

    /// Bytes of one direction will never be delivered (a content gap): that
    /// direction drops its partial record and resynchronises.
    @inlinable
    public mutating func contentGap(isOrig: Bool) {
        if isOrig {
            originatorStream.contentGap()
        } else {
            responderStream.contentGap()
        }
    }

    /// The connection is finished (removed after close/reset handling,
    /// inactivity or end of input). Raises `partial_RPC_request` when the
    /// originator's last byte did not end a record — including when resync
    /// discarded everything it sent — and the originator is or was closed and
    /// sent at least one byte (SEMANTICS-RPC §1.3.3). Pending calls are kept
    /// silent: TCP calls never time out.
    /// - Parameters:
    ///   - originatorClosed: the originator endpoint is or was CLOSED (sent FIN).
    ///   - originatorSentData: the originator's endpoint size is > 0.
    ///   - time: network time of the removal.
    @inlinable
    public mutating func connectionFinished(originatorClosed: Bool, originatorSentData: Bool, time: Double,
                                            into events: inout RPCEventBuffer<Program.Event>) {
        if originatorStream.phase != .complete && originatorClosed && originatorSentData {
            events.append(.weird(.partialRPCRequest), at: RPCEventStamp(time: time, connection: connection))
        }
    }
}
