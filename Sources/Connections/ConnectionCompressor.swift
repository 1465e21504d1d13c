import PacketDecoding

/// A pending TCP connection: an initial SYN not yet answered (the reference's
/// `PendingConn`). Only its header fields are kept; payload is lost.
struct PendingSYN: Sendable {
    var key: FlowKey
    /// The SYN sender (the pending originator) and its peer.
    var source: IPv4Address
    var sourcePort: UInt16
    var destination: IPv4Address
    var destinationPort: UInt16
    /// Time of the (last) SYN: becomes the connection's start time.
    var time: Double
    /// The packet that appended this entry (its place in the pending list).
    var packetSequence: UInt64
    var seq: UInt32
    var ack: UInt32
    var window: UInt16
    /// Flags of the first packet (the synthesized SYN carries them).
    var flags: TCPFlags
    /// Instantiated, reported or superseded.
    var invalid = false
}

/// The connection compressor's pending list in creation order
/// (`use_connection_compressor`, `cc_handle_only_syns`; SEMANTICS-CONN §2.4).
///
/// Entries are addressed by a monotonically increasing id; the list is a deque
/// that drops expired entries from the front, so memory follows the number of
/// SYNs pending within `tcp_SYN_timeout`.
struct ConnectionCompressor: Sendable {
    private(set) var entries: [PendingSYN] = []
    /// Id of `entries[0]`.
    private(set) var base = 0
    /// First entry not yet expired (relative index).
    var head = 0
    /// Entries neither invalid nor expired.
    private(set) var validCount = 0

    var endID: Int { base + entries.count }

    subscript(id: Int) -> PendingSYN {
        get { entries[id - base] }
        set { entries[id - base] = newValue }
    }

    mutating func append(_ p: PendingSYN) -> Int {
        entries.append(p)
        validCount += 1
        return base + entries.count - 1
    }

    mutating func invalidate(_ id: Int) {
        guard !entries[id - base].invalid else { return }
        entries[id - base].invalid = true
        validCount -= 1
    }

    /// Discards expired entries in front once they are the bulk of the storage.
    mutating func compact() {
        if head == entries.count {
            base += entries.count
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > entries.count {
            entries.removeFirst(head)
            base += head
            head = 0
        }
    }
}

extension PendingSYN {
    /// `WantConnection`'s role flip for this entry's flags and ports.
    var flipsRoles: Bool { tcpFlipsRoles(sourcePort: sourcePort, destinationPort: destinationPort, flags: flags) }
}

/// `NetSessions::WantConnection` for TCP (SEMANTICS-CONN §2.2): a connection
/// built from a packet without SYN, or from a SYN+ACK, is flipped when the
/// sender looks like the server.
func tcpFlipsRoles(sourcePort: UInt16, destinationPort: UInt16, flags: TCPFlags) -> Bool {
    guard !flags.contains(.syn) || flags.contains(.ack) else { return false }
    guard LikelyServerPorts.contains(sourcePort, .tcp) else { return false }
    if LikelyServerPorts.contains(destinationPort, .tcp) {
        // Both plausible: flip only a non-SYN packet towards the higher port.
        return !flags.contains(.syn) && sourcePort < destinationPort
    }
    return true
}

/// TCP option walk of `ParseTCPOptions`: nil when the options are corrupt,
/// else the window-scale value if one was present. Bytes beyond the captured
/// data read as EOL.
func parseTCPOptions(_ bytes: UnsafeRawBufferPointer, headerLength: Int) -> (corrupt: Bool, windowScale: UInt8?) {
    func byte(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }
    var i = 20
    var scale: UInt8? = nil
    while i < headerLength {
        let opt = byte(i)
        let optLen: Int
        if opt < 2 {
            optLen = 1
        } else if i + 1 >= headerLength {
            return (true, scale)
        } else {
            optLen = Int(byte(i + 1))
        }
        if optLen == 0 { return (true, scale) }
        if i + optLen > headerLength { return (true, scale) }
        if opt == 3 { scale = byte(i + 2) }
        i += optLen
        if opt == 0 { break }
    }
    return (false, scale)
}

/// The window-scale option as the TCP analyzer's SYN parsing reads it
/// (`BuildSYNPacketVal`): -1 when absent.
func synWindowScale(_ bytes: UnsafeRawBufferPointer, headerLength: Int) -> Int {
    func byte(_ i: Int) -> Int { i < bytes.count ? Int(bytes[i]) : 0 }
    var i = 20
    var scale = -1
    while i < headerLength {
        let opt = byte(i)
        if opt == 0 { break }
        if opt == 1 { i += 1; continue }
        if i + 1 >= headerLength { break }
        let optLen = byte(i + 1)
        if i + optLen > headerLength { break }
        if optLen == 0 { break }
        if opt == 3 && optLen >= 3 { scale = byte(i + 2) }
        i += optLen
    }
    return scale
}
