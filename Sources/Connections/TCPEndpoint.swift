/// One side of a TCP connection (the reference's `TCP_Endpoint`).
///
/// Sequence numbers are kept as the reference keeps them: 32-bit values plus
/// wrap counters for `last_seq`/`ack_seq`, so sizes come out right across a
/// sequence-number wrap.
struct TCPEndpoint: Sendable {
    var state: TCPEndpointState = .inactive
    var prevState: TCPEndpointState = .inactive

    var startSeq: UInt32 = 0
    var lastSeq: UInt32 = 0
    var ackSeq: UInt32 = 0
    var lastSeqHigh: UInt32 = 0
    var ackSeqHigh: UInt32 = 0

    /// Window bookkeeping for `window_recision` (window stored scaled).
    var window: UInt32 = 0
    var windowScale: Int = 0
    var windowSeq: UInt32 = 0
    var windowAckSeq: UInt32 = 0

    /// Relative sequence number just past this side's FIN.
    var finSeq: Int64 = 0
    var finCount = 0
    var rstCount = 0
    /// Whether the close of this side has been reported (`did_close`).
    var didClose = false
    var lastTime: Double = 0

    /// In-order delivery state; used only when the connection reassembles.
    var reassembly = ReassemblyBuffer()

    /// Advances `last_seq`, counting a wrap when the new value is numerically smaller.
    @inlinable
    mutating func updateLastSeq(_ seq: UInt32) {
        if seq < lastSeq { lastSeqHigh &+= 1 }
        lastSeq = seq
    }

    @inlinable
    mutating func updateAckSeq(_ seq: UInt32) {
        if seq < ackSeq { ackSeqHigh &+= 1 }
        ackSeq = seq
    }

    /// Bytes sent (SEMANTICS-CONN §3.5): highest of last/ack seq minus start,
    /// without the SYN octet and, once a FIN was seen, without the FIN octet.
    var size: Int64 {
        let last64 = UInt64(lastSeqHigh) << 32 | UInt64(lastSeq)
        let ack64 = UInt64(ackSeqHigh) << 32 | UInt64(ackSeq)
        var size = Int64(bitPattern: max(last64, ack64) &- UInt64(startSeq))
        if size != 0 { size -= 1 }
        if finCount > 0 && size != 0 { size -= 1 }
        return size
    }

    /// None of this side's data was acknowledged (allowing for the SYN octet).
    @inlinable var noDataAcked: Bool { ackSeq == startSeq || ackSeq == startSeq &+ 1 }
    /// Sent something and has not been reported closed.
    @inlinable var isActive: Bool { state != .inactive && !didClose }
    @inlinable var hasDoneSomething: Bool { lastTime != 0 }
}
