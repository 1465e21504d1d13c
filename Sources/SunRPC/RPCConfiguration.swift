/// Limits of the RPC layer.
@frozen
public struct RPCConfiguration: Sendable, Equatable {
    /// Pending calls kept per connection. A new call beyond this is not
    /// registered; the weird `RPC_call_table_full` is raised and counted.
    /// The default is far above anything the corpora need (5000 unanswered
    /// calls on one connection) so it never changes reference output.
    public var maximumPendingCalls: Int

    @inlinable
    public init(maximumPendingCalls: Int = 100_000) {
        self.maximumPendingCalls = max(1, maximumPendingCalls)
    }

    /// Longest record the TCP reassembler buffers (reference `MAX_RPC_LEN`).
    public static let maximumRecordLength = 65_536
    /// Longest credential/verifier body the TCP interpreter accepts.
    public static let maximumAuthLength = 400
}

/// Counters of one analyzer (what it dropped and why). Add them up per shard.
@frozen
public struct RPCStatistics: Sendable, Equatable {
    /// UDP datagrams / TCP records handed to the interpreter.
    public var messages: UInt64 = 0
    /// Calls not registered because the table was at its cap.
    public var callsDroppedTableFull: UInt64 = 0
    /// TCP chunks discarded while re-synchronising, and their bytes.
    public var resyncDiscardedChunks: UInt64 = 0
    public var resyncDiscardedBytes: UInt64 = 0
    /// TCP opaques whose padding ran past the record end (reference defect,
    /// §1.3.2 item 6); treated as consumed.
    public var paddingOverruns: UInt64 = 0
    /// Pending calls failed with RPC_TIMEOUT at UDP connection removal.
    public var timedOutCalls: UInt64 = 0

    @inlinable public init() {}

    /// Adds another analyzer's counters.
    @inlinable
    public mutating func add(_ other: RPCStatistics) {
        messages &+= other.messages
        callsDroppedTableFull &+= other.callsDroppedTableFull
        resyncDiscardedChunks &+= other.resyncDiscardedChunks
        resyncDiscardedBytes &+= other.resyncDiscardedBytes
        paddingOverruns &+= other.paddingOverruns
        timedOutCalls &+= other.timedOutCalls
    }
}
