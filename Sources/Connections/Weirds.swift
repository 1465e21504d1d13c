import PacketDecoding

/// The weird names the connection layer raises (SEMANTICS-CONN §1.6, §2–§3).
/// The raw value is the exact name the reference prints.
public enum StandardWeird: String, Sendable, CaseIterable {
    // Transport checks.
    case badUDPChecksum = "bad_UDP_checksum"
    case badTCPChecksum = "bad_TCP_checksum"
    case badTCPHeaderLength = "bad_TCP_header_len"
    case truncatedHeader = "truncated_header"
    case corruptTCPOptions = "corrupt_tcp_options"
    // SYN handling (compressor and analyzer).
    case tcpChristmas = "TCP_christmas"
    case baroqueSYN = "baroque_SYN"
    case synWithData = "SYN_with_data"
    case spontaneousFIN = "spontaneous_FIN"
    case spontaneousRST = "spontaneous_RST"
    case repeatedSYNWithAck = "repeated_SYN_with_ack"
    case repeatedSYNReplyWithoutAck = "repeated_SYN_reply_wo_ack"
    case synSeqJump = "SYN_seq_jump"
    case synAfterPartial = "SYN_after_partial"
    case synInsideConnection = "SYN_inside_connection"
    case synAfterClose = "SYN_after_close"
    case synAfterReset = "SYN_after_reset"
    case connectionOriginatorSYNAck = "connection_originator_SYN_ack"
    case badSYNAck = "bad_SYN_ack"
    case simultaneousOpen = "simultaneous_open"
    case unsolicitedSYNResponse = "unsolicited_SYN_response"
    // Data, FIN and RST handling.
    case finAfterReset = "FIN_after_reset"
    case dataAfterReset = "data_after_reset"
    case dataBeforeEstablished = "data_before_established"
    case inappropriateFIN = "inappropriate_FIN"
    case finAdvancedLastSeq = "FIN_advanced_last_seq"
    case possibleSplitRouting = "possible_split_routing"
    case windowRecision = "window_recision"
    case finStorm = "FIN_storm"
    case rstStorm = "RST_storm"
    // Reuse and close.
    case activeConnectionReuse = "active_connection_reuse"
    case prematureConnectionReuse = "premature_connection_reuse"
    case pendingDataWhenClosed = "pending_data_when_closed"
    // Reassembly memory guards.
    case aboveHoleDataWithoutAnyAcks = "above_hole_data_without_any_acks"
    case excessiveDataWithoutFurtherAcks = "excessive_data_without_further_acks"
}

/// A weird's name: a fixed one, or the UDP length mismatch whose name embeds numbers.
public enum WeirdName: Sendable, Hashable, CustomStringConvertible {
    case standard(StandardWeird)
    /// `UDP_datagram_length_mismatch(ULEN!=LEN)` with the UDP length field and the
    /// IP-derived length. Its name is not in weird.bro's table, so the policy
    /// treats it as notice-always with the `** ` prefix.
    case udpDatagramLengthMismatch(udpLength: Int, ipLength: Int)

    /// The name exactly as the reference prints it.
    public var description: String {
        switch self {
        case .standard(let w): return w.rawValue
        case .udpDatagramLengthMismatch(let u, let l): return "UDP_datagram_length_mismatch(\(u)!=\(l))"
        }
    }
}

/// The connection a connection-layer weird is about.
public struct WeirdConnection: Sendable, Hashable {
    public var id: ConnectionID
    /// nil for the compressor's synthetic (`cc=1`) records, which never become
    /// tracked connections.
    public var slot: ConnectionSlot?

    @inlinable
    public init(_ id: ConnectionID, slot: ConnectionSlot?) {
        self.id = id
        self.slot = slot
    }
}

/// Which of the reference's three weird events a connection-layer weird goes through (§1.6).
public typealias ConnectionWeirdScope = WeirdScope<WeirdConnection>

/// One weird raised by the connection layer.
public struct ConnectionWeird: Sendable, Hashable {
    public var name: WeirdName
    public var scope: ConnectionWeirdScope
    /// Network time when raised (the weird.log timestamp).
    public var time: Double

    @inlinable
    public init(name: WeirdName, scope: ConnectionWeirdScope, time: Double) {
        self.name = name
        self.scope = scope
        self.time = time
    }
}
