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
    ///
    /// Every log line prints addresses: the digits go into a stack buffer and make
    /// a small (inline, at most 15 bytes) string, instead of four integer
    /// descriptions joined by interpolation (about 15x the instructions).
    public var description: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buffer in
            let count = writeDottedQuad(to: buffer.baseAddress!)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Writes the dotted quad at `destination`, which must have room for 16 bytes
    /// (15 and a scratch byte); returns its length. Shared by `description` and
    /// `LineBuffer`, which writes it straight into a log buffer.
    @inlinable
    public func writeDottedQuad(to destination: UnsafeMutablePointer<UInt8>) -> Int {
        var position = 0
        for index in 0 ..< 4 {
            let octet = Int((value >> UInt32(24 - 8 * index)) & 0xff)
            if octet >= 100 {
                destination[position] = UInt8(truncatingIfNeeded: octet / 100) &+ 0x30
                position += 1
            }
            if octet >= 10 {
                destination[position] = UInt8(truncatingIfNeeded: (octet / 10) % 10) &+ 0x30
                position += 1
            }
            destination[position] = UInt8(truncatingIfNeeded: octet % 10) &+ 0x30
            destination[position + 1] = UInt8(ascii: ".")
            position += 2
        }
        return position - 1  // without the dot after the last octet
    }

    /// Sets and dictionaries keyed by address sit on the per-packet path of the
    /// connection and policy layers: one seeded multiply-xorshift mix of the 32
    /// bits (full avalanche, so the table's low bucket bits are well spread)
    /// replaces a SipHash round. It hashes exactly what `==` compares.
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: FlowKey.mix(UInt64(value) ^ UInt64(UInt(bitPattern: seed))))
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

    /// Cheap seeded hash for the tables keyed by connection (see `IPv4Address._rawHashValue`).
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        let addresses = UInt64(originator.value) << 32 | UInt64(responder.value)
        let rest = UInt64(originatorPort) << 32 | UInt64(responderPort) << 16 | UInt64(proto.rawValue)
        return Int(truncatingIfNeeded: FlowKey.mix(addresses ^ FlowKey.mix(rest ^ UInt64(UInt(bitPattern: seed)))))
    }

    /// The events.txt rendering: `127.0.0.1:45746/udp > 127.0.0.1:111/udp`.
    public var eventsDescription: String {
        "\(originator):\(originatorPort)/\(proto) > \(responder):\(responderPort)/\(proto)"
    }
}
