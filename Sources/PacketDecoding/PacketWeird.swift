/// Names of the weirds raised by packet intake and by the transport layers built on it
/// (SEMANTICS-CONN §1.3–§1.6, §2.4). The raw value is the exact reference name.
public enum PacketWeirdName: String, Sendable, CaseIterable {
    // net weirds (§1.3 steps 2–4, 7; compressor header check)
    case truncatedIP = "truncated_IP"
    case nonIPv4Packet = "non_IPv4_packet"
    case badIPChecksum = "bad_IP_checksum"
    case truncatedHeader = "truncated_header"
    case internallyTruncatedHeader = "internally_truncated_header"
    // flow weirds (§1.5 fragments, §2.4 option parsing)
    case incompletelyCapturedFragment = "incompletely_captured_fragment"
    case fragmentProtocolInconsistency = "fragment_protocol_inconsistency"
    case fragmentWithDF = "fragment_with_DF"
    case fragmentSizeInconsistency = "fragment_size_inconsistency"
    case excessivelySmallFragment = "excessively_small_fragment"
    case excessivelyLargeFragment = "excessively_large_fragment"
    case fragmentInconsistency = "fragment_inconsistency"
    case fragmentOverlap = "fragment_overlap"
    case corruptTCPOptions = "corrupt_tcp_options"
    // conn weirds raised by the transport analyzers from this layer's verdicts (§1.4, §3.2)
    case badTCPChecksum = "bad_TCP_checksum"
    case badUDPChecksum = "bad_UDP_checksum"
    case badTCPHeaderLength = "bad_TCP_header_len"
}

/// Who a weird is about, which decides its event and its weird.log id (§1.6).
/// One shape for every layer; each names the connection its own way: intake by
/// `ConnectionID` (`PacketWeirdScope`), the connection layer with its tracker slot
/// (`ConnectionWeirdScope`), the policy with its connection record.
public enum WeirdScope<Connection: Hashable & Sendable>: Hashable, Sendable {
    /// `net_weird(name)`: no id.
    case net
    /// `flow_weird(name, src, dst)`: id `SRC -> DST`.
    case flow(source: IPv4Address, destination: IPv4Address)
    /// `conn_weird(name, c)`: id `ORIG_H/P > RESP_H/P` (see `weirdIDString`).
    case connection(Connection)
}

/// The scope of a weird raised during packet intake.
public typealias PacketWeirdScope = WeirdScope<ConnectionID>

/// One weird raised while decoding a packet.
public struct PacketWeird: Hashable, Sendable, CustomStringConvertible {
    public var name: PacketWeirdName
    public var scope: PacketWeirdScope

    @inlinable
    public init(_ name: PacketWeirdName, _ scope: PacketWeirdScope) {
        self.name = name
        self.scope = scope
    }

    /// The id part of a weird.log line: empty (net), `SRC -> DST` (flow) or the conn id string.
    public var idString: String {
        switch scope {
        case .net: return ""
        case .flow(let source, let destination): return "\(source) -> \(destination)"
        case .connection(let id): return weirdIDString(id)
        }
    }

    /// `ID: NAME`, the weird.log message without time stamp or policy prefix.
    public var description: String { "\(idString): \(name.rawValue)" }
}
