import PacketDecoding

/// Arguments of the reference's `rpc_call` event (SEMANTICS-RPC §1.5).
@frozen
public struct RPCCallRecord: Equatable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var procedure: UInt32
    public var status: RPCStatus
    /// Network time at which the (first) call was seen.
    public var startTime: Double
    /// UDP: whole call datagram. TCP: record length − 8.
    public var callLength: Int
    /// UDP: whole reply datagram. TCP: bytes left after decoding the reply.
    public var replyLength: Int

    @inlinable
    public init(program: UInt32, version: UInt32, procedure: UInt32, status: RPCStatus,
                startTime: Double, callLength: Int, replyLength: Int) {
        self.program = program
        self.version = version
        self.procedure = procedure
        self.status = status
        self.startTime = startTime
        self.callLength = callLength
        self.replyLength = replyLength
    }
}

/// What happened. `ProgramEvent` is the program layer's own event type
/// (portmapper: `PortmapEvent`), so this module stays program-agnostic.
@frozen
public enum RPCEventKind<ProgramEvent: Sendable>: Sendable {
    /// `rpc_call`.
    case rpcCall(RPCCallRecord)
    /// `conn_weird` / `conn_weird_addl`.
    case weird(RPCWeird)
    /// A program-level event (`pm_request_*`, `pm_attempt_*`, `pm_bad_port`, ...).
    case program(ProgramEvent)
}

extension RPCEventKind: Equatable where ProgramEvent: Equatable {}

/// Network time and connection an event is raised for.
@frozen
public struct RPCEventStamp: Sendable, Equatable {
    public var time: Double
    public var connection: ConnectionID
    @inlinable
    public init(time: Double, connection: ConnectionID) {
        self.time = time
        self.connection = connection
    }
}

/// One event, in dispatch order, as a plain value.
@frozen
public struct RPCEvent<ProgramEvent: Sendable>: Sendable {
    /// Network time the event is raised at (printed first in events.txt).
    public var time: Double
    public var connection: ConnectionID
    public var kind: RPCEventKind<ProgramEvent>

    @inlinable
    public init(time: Double, connection: ConnectionID, kind: RPCEventKind<ProgramEvent>) {
        self.time = time
        self.connection = connection
        self.kind = kind
    }

    @inlinable
    public init(_ kind: RPCEventKind<ProgramEvent>, at stamp: RPCEventStamp) {
        self.init(time: stamp.time, connection: stamp.connection, kind: kind)
    }
}

extension RPCEvent: Equatable where ProgramEvent: Equatable {}

/// Caller-owned output of the analyzers: events in the exact dispatch order
/// plus a side store for variable-length program payloads (a DUMP reply's
/// mapping list), so no event owns a heap allocation. Reuse one buffer and
/// call `removeAll()` between batches to keep its capacity.
@frozen
public struct RPCEventBuffer<ProgramEvent: Sendable>: Sendable {
    /// Events in dispatch order.
    public var events: [RPCEvent<ProgramEvent>]
    /// Words referenced by program events (their meaning is the program's).
    public var payloadWords: [UInt32]
    /// Observation hook: the header of every message the analyzers parsed, in
    /// parse order, filled only while `recordsMessageHeaders` is true (off by
    /// default, so a normal run appends nothing). See ``RPCMessageHeader``.
    public var messageHeaders: [RPCMessageHeader]
    /// Whether the analyzers record ``messageHeaders``.
    public var recordsMessageHeaders: Bool

    /// - Parameter recordingMessageHeaders: fill ``messageHeaders`` (tests, tracing).
    @inlinable
    public init(recordingMessageHeaders: Bool = false) {
        events = []
        payloadWords = []
        messageHeaders = []
        recordsMessageHeaders = recordingMessageHeaders
    }

    @inlinable public var count: Int { events.count }

    /// Appends one event.
    @inlinable
    public mutating func append(_ kind: RPCEventKind<ProgramEvent>, at stamp: RPCEventStamp) {
        events.append(RPCEvent(kind, at: stamp))
    }

    /// Drops every event, payload word and message header, keeping the capacity.
    @inlinable
    public mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        payloadWords.removeAll(keepingCapacity: true)
        messageHeaders.removeAll(keepingCapacity: true)
    }

    /// Payload words appended after `mark` are discarded (a parse that stored
    /// part of a list and then failed).
    @inlinable
    public mutating func truncatePayload(to mark: Int) {
        if payloadWords.count > mark {
            payloadWords.removeSubrange(mark...)
        }
    }
}
