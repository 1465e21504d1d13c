import PacketDecoding

/// TCP endpoint states with the reference's numeric values (SEMANTICS-CONN §3.1).
public enum TCPEndpointState: UInt8, Sendable, Hashable {
    case inactive = 0
    case synSent = 1
    case synAckSent = 2
    case partial = 3
    case established = 4
    case closed = 5
    case reset = 6

    /// "Inactive" in the conn.log state rules: `INACTIVE` or `PARTIAL`.
    @inlinable var isInactiveForLog: Bool { self == .inactive || self == .partial }
    /// States of the three-way handshake (leaving them arms the inactivity timer).
    @inlinable var isHandshake: Bool { self == .inactive || self == .synSent || self == .synAckSent }
}

/// A stable identity for a tracked connection, valid from its creation until its
/// `.connectionRemoved` record; afterwards the slot may be reused by a new
/// connection. Callers keep per-connection side tables indexed by `index`.
public struct ConnectionSlot: Sendable, Hashable {
    public var index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// One endpoint as the connection record shows it.
public struct EndpointSummary: Sendable, Hashable {
    /// Bytes per the reference's size rules (TCP: from sequence numbers; UDP:
    /// sum of UDP length fields minus headers). Can be negative for odd TCP
    /// sequence spaces; the log prints it as the reference's unsigned count.
    public var size: Int64
    /// The numeric endpoint state: a `TCPEndpointState` raw value for TCP, or
    /// 0 (`UDP_INACTIVE`) / 1 (`UDP_ACTIVE`) for UDP.
    public var rawState: UInt8

    @inlinable public init(size: Int64, rawState: UInt8) {
        self.size = size
        self.rawState = rawState
    }

    /// The state as a TCP endpoint state (meaningful for TCP connections only).
    @inlinable public var tcpState: TCPEndpointState { TCPEndpointState(rawValue: rawState) ?? .inactive }
}

/// The connection-layer part of the reference's `connection` record at the
/// moment it was captured: what conn.log needs except addl and service policy.
public struct ConnectionSummary: Sendable, Hashable {
    public var id: ConnectionID
    /// `start_time` (first packet; compressor connections: last pending SYN).
    public var startTime: Double
    /// `last_time - start_time` (compressor records: packet time - pending time, or 0).
    public var duration: Double
    public var originator: EndpointSummary
    public var responder: EndpointSummary
    /// True for the compressor's synthetic records, whose addl starts as `cc=1`
    /// and whose service set is always empty (SEMANTICS-CONN §2.7 step 2).
    public var isCompressorRecord: Bool

    @inlinable
    public init(
        id: ConnectionID, startTime: Double, duration: Double,
        originator: EndpointSummary, responder: EndpointSummary, isCompressorRecord: Bool = false
    ) {
        self.id = id
        self.startTime = startTime
        self.duration = duration
        self.originator = originator
        self.responder = responder
        self.isCompressorRecord = isCompressorRecord
    }

    /// The addl text the connection layer itself contributes (`cc=1` or empty).
    public var initialAddl: String { isCompressorRecord ? "cc=1" : "" }
}
