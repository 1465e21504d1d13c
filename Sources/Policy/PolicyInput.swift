import PacketDecoding

// Inputs of the policy stage, protocol-free value types.
//
// Mapping from the other stages' records (adapters live in the Engine):
// * SunRPC/Portmapper event enum: `pm_request_*` / `pm_attempt_*` / `pm_bad_port` →
//   `.portmapper(time, connection, PortmapperEvent)`; `rpc_call` is not needed by any
//   script and is dropped; `conn_weird` / `conn_weird_addl` → `.weird(time, .connection)`.
//   If the RPC stage itself already emits the `conn_weird_addl("bad_pm_port")` that the
//   script derives from `pm_bad_port`, construct the engine with
//   `derivesBadPortWeird: false` (otherwise it would be reported twice).
// * PacketDecoding net / flow weirds → `.weird(time, .net / .flow)`.
// * Connections: `content_gap`, `ack_above_hole`, `rexmit_inconsistency` →
//   `.connectionNotice`; TCP connection events (`connection_established`, `_attempt`, ...)
//   → `.connectionEvent` (hot/scan checks); `connection_state_remove` → `.connectionRemoved`
//   whose answer (service column + addl) comes back as a `ConnectionAnnotation` record.
// * Every packet may also send `.networkTime(t)` so table expiry sweeps run at the same
//   packets as in the reference (they only run when some input advances the clock).

/// An endpoint state as the scripts compare it (`TCP_INACTIVE` = 0 … `TCP_RESET` = 6;
/// UDP uses 0 = inactive, 1 = active).
public typealias EndpointStateCode = UInt8

public enum TCPEndpointState {
    public static let inactive: EndpointStateCode = 0
    public static let synSent: EndpointStateCode = 1
    public static let synAckSent: EndpointStateCode = 2
    public static let partial: EndpointStateCode = 3
    public static let established: EndpointStateCode = 4
    public static let closed: EndpointStateCode = 5
    public static let reset: EndpointStateCode = 6
}

/// The connection record fields a policy handler reads, as of the event.
public struct PolicyConnection: Hashable, Sendable {
    public var id: ConnectionID
    /// Endpoint byte counts (`c$orig$size`, `c$resp$size`); Hot checks need them.
    public var originatorSize: UInt64
    public var responderSize: UInt64
    public var originatorState: EndpointStateCode
    public var responderState: EndpointStateCode
    /// The connection compressor hands events a fresh synthetic record per event
    /// (addl `cc=1`); annotations made on it are not kept (SEMANTICS-CONN §5.2).
    public var isCompressorPending: Bool

    public init(
        id: ConnectionID, originatorSize: UInt64 = 0, responderSize: UInt64 = 0,
        originatorState: EndpointStateCode = 0, responderState: EndpointStateCode = 0,
        isCompressorPending: Bool = false
    ) {
        self.id = id
        self.originatorSize = originatorSize
        self.responderSize = responderSize
        self.originatorState = originatorState
        self.responderState = responderState
        self.isCompressorPending = isCompressorPending
    }
}

/// Where a weird the policy handles was raised (SEMANTICS-CONN §1.6): `net`
/// (id string empty), `flow` (id `SRC -> DST`), or a connection (id =
/// `weird_id_string(c$id)`, for `conn_weird` and `conn_weird_addl`).
public typealias WeirdScope = PacketDecoding.WeirdScope<PolicyConnection>

public struct WeirdEvent: Hashable, Sendable {
    public var name: String
    /// Only `conn_weird_addl` has one; empty otherwise.
    public var addl: String
    public var scope: WeirdScope

    public init(name: String, addl: String = "", scope: WeirdScope) {
        self.name = name
        self.addl = addl
        self.scope = scope
    }
}

/// TCP-layer events weird.bro turns into notices (SEMANTICS-RPC §4.5).
public enum ConnectionNoticeEvent: Hashable, Sendable {
    /// `rexmit_inconsistency(c, t1, t2)`: the old and new bytes of the overlap.
    case rexmitInconsistency(old: [UInt8], new: [UInt8])
    case ackAboveHole
    /// `content_gap(c, is_orig, seq, length)`.
    case contentGap(isOriginator: Bool, sequence: UInt64, length: UInt64)
}

/// Connection events that conn.bro / scan.bro hook for Hot and Scan checks.
public enum ConnectionLifecycleEvent: Hashable, Sendable {
    case established, partial, attempt, halfFinished, rejected, reset, pending, finished, partialClose
}

/// How conn.log would print the connection right now; only used for the text of a
/// `SensitiveConnection` notice (conn.bro `full_id_string`) when a connection is hot.
public struct ConnectionSummaryText: Hashable, Sendable {
    /// conn.log state code (`SF`, `S0`, ...).
    public var stateCode: String
    /// Endpoint sizes as conn.log prints them (`?` or a number).
    public var originatorBytesText: String
    public var responderBytesText: String
    public var duration: Double

    public init(stateCode: String = "OTH", originatorBytesText: String = "?",
                responderBytesText: String = "?", duration: Double = 0) {
        self.stateCode = stateCode
        self.originatorBytesText = originatorBytesText
        self.responderBytesText = responderBytesText
        self.duration = duration
    }
}

/// `connection_state_remove`.
public struct ConnectionRemoval: Hashable, Sendable {
    public var connection: PolicyConnection
    /// Handed back in the `ConnectionAnnotation` so the caller can pair it with its summary.
    public var token: UInt64
    public var summary: ConnectionSummaryText

    public init(connection: PolicyConnection, token: UInt64, summary: ConnectionSummaryText = ConnectionSummaryText()) {
        self.connection = connection
        self.token = token
        self.summary = summary
    }
}

/// One input of the policy stage, in the order the reference dispatches events.
/// `time` is the network time at dispatch (`%.6f` in every log).
public enum PolicyInput: Hashable, Sendable {
    case networkTime(Double)
    case portmapper(time: Double, connection: PolicyConnection, event: PortmapperEvent)
    case weird(time: Double, event: WeirdEvent)
    case connectionNotice(time: Double, connection: PolicyConnection, event: ConnectionNoticeEvent)
    case connectionEvent(time: Double, connection: PolicyConnection, event: ConnectionLifecycleEvent,
                         summary: ConnectionSummaryText)
    case connectionRemoved(time: Double, removal: ConnectionRemoval)
    /// `bro_done`: end-of-run scan summaries.
    case endOfInput(time: Double)

    public var time: Double {
        switch self {
        case .networkTime(let t): return t
        case .portmapper(let t, _, _), .weird(let t, _), .connectionNotice(let t, _, _),
             .connectionEvent(let t, _, _, _), .connectionRemoved(let t, _), .endOfInput(let t):
            return t
        }
    }
}
