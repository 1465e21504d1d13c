/// Tunables of the connection layer. The defaults are the reference
/// configuration's values (SEMANTICS-CONN §2.3–§2.6).
public struct ConnectionConfiguration: Sendable {
    /// Verify UDP/TCP checksums (false = the reference's `-C`).
    public var checksumsEnabled = true
    /// `max_timer_expires`: timers dispatched per packet at most.
    public var maxTimerExpiriesPerPacket = 300
    /// The application analyzers (and their hooks) are attached when the
    /// responder port is this one (111/udp and 111/tcp).
    public var rpcPort: UInt16 = 111

    public var rpcTimeout = 24.0
    public var udpInactivityTimeout = 60.0
    public var tcpInactivityTimeout = 300.0
    public var tcpSYNTimeout = 5.0
    public var tcpSessionTimer = 6.0
    public var tcpConnectionLinger = 5.0
    public var tcpAttemptDelay = 5.0
    public var tcpCloseDelay = 5.0
    public var tcpResetDelay = 5.0
    public var tcpPartialCloseDelay = 3.0
    public var tcpStormThreshold = 1000
    public var tcpStormInterarrivalThreshold = 1.0
    public var tcpMaxInitialWindow: Int64 = 4096
    public var tcpMaxAboveHoleWithoutAnyAcks: Int64 = 4096
    public var tcpExcessiveDataWithoutFurtherAcks: Int64 = 10 * 1024 * 1024

    /// Memory guard beyond the reference: delivered-but-unacknowledged bytes kept
    /// per direction. The reference keeps them until an ACK arrives, without
    /// bound; above this many the oldest delivered blocks are dropped (only
    /// retransmission comparisons against them are lost).
    public var maxAwaitingAckBytesPerDirection: Int64 = 16 * 1024 * 1024
    /// Memory and time guard beyond the reference: buffered blocks per direction.
    /// Delivered blocks beyond it are dropped oldest first; more undelivered
    /// blocks than this (thousands of segments waiting above a hole) is treated
    /// like `excessive_data_without_further_acks`. Bounds the cost of inserting
    /// a block into the sorted list.
    public var maxBlocksPerDirection = 4096

    /// Report `OrderNote`s (timer creation and firing, compressor list entries,
    /// dictionary inserts and removals) so that an engine running several
    /// trackers can merge their outputs in the reference's global orders.
    public var reportsOrderNotes = false

    public init() {}

    /// The reference's default mode (checksums verified) or `-C` mode.
    public init(checksumsEnabled: Bool) {
        self.checksumsEnabled = checksumsEnabled
    }
}
