/// An IPv4 address kept as its four wire bytes, `a.b.c.d` -> `a` in the low byte
/// when loaded little-endian. Comparison helpers used by the reference's
/// canonical key order live with the flow key, not here.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address in host integer form: `a.b.c.d` = `a<<24 | b<<16 | c<<8 | d`.
    public var value: UInt32

    @inlinable public init(_ value: UInt32) { self.value = value }
    @inlinable public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Dotted quad, e.g. `127.0.0.1`.
    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }
}

/// Transport protocol of a connection.
public enum TransportProtocol: UInt8, Hashable, Sendable, CustomStringConvertible {
    case icmp = 1
    case tcp = 6
    case udp = 17

    public var description: String {
        switch self {
        case .icmp: return "icmp"
        case .tcp: return "tcp"
        case .udp: return "udp"
        }
    }
}

/// The reference's `conn_id`: originator and responder endpoints plus protocol.
public struct ConnectionID: Hashable, Sendable {
    public var originator: IPv4Address
    public var originatorPort: UInt16
    public var responder: IPv4Address
    public var responderPort: UInt16
    public var proto: TransportProtocol

    @inlinable
    public init(originator: IPv4Address, originatorPort: UInt16, responder: IPv4Address, responderPort: UInt16, proto: TransportProtocol) {
        self.originator = originator
        self.originatorPort = originatorPort
        self.responder = responder
        self.responderPort = responderPort
        self.proto = proto
    }

    /// The events.txt rendering: `127.0.0.1:45746/udp > 127.0.0.1:111/udp`.
    public var eventsDescription: String {
        "\(originator):\(originatorPort)/\(proto) > \(responder):\(responderPort)/\(proto)"
    }
}
