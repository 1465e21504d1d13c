import PacketDecoding

/// Where the bytes of a payload/data record live.
public enum PayloadBytes: @unchecked Sendable, Hashable {
    /// A slice of the current packet (valid as long as the caller's packet memory).
    case packet(UnsafeRawBufferPointer)
    /// A range of the output buffer's arena (valid until the buffer is cleared).
    case buffered(offset: Int, count: Int)

    public var count: Int {
        switch self {
        case .packet(let p): return p.count
        case .buffered(_, let c): return c
        }
    }

    // Identity, not content: two records are equal when they name the same bytes.
    public static func == (lhs: PayloadBytes, rhs: PayloadBytes) -> Bool {
        switch (lhs, rhs) {
        case (.packet(let a), .packet(let b)): return a.baseAddress == b.baseAddress && a.count == b.count
        case (.buffered(let o1, let c1), .buffered(let o2, let c2)): return o1 == o2 && c1 == c2
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .packet(let p):
            hasher.combine(0)
            hasher.combine(p.baseAddress)
            hasher.combine(p.count)
        case .buffered(let o, let c):
            hasher.combine(1)
            hasher.combine(o)
            hasher.combine(c)
        }
    }
}

/// Reference events about a connection that the policy layer may care about
/// (scan/hot bookkeeping); they carry no log output themselves.
public enum ConnectionEventKind: Sendable, Hashable {
    case established
    case partialConnection
    case attempt
    case rejected
    case reset
    case finished
    case halfFinished
    case partialClose
    case timeout
    case reused
}

/// Why a connection was removed.
public enum RemovalReason: Sendable, Hashable {
    /// UDP RPC expiry (`rpc_timeout`, 24 s after creation).
    case rpcExpiry
    /// TCP attempt timer (`tcp_attempt_delay`).
    case tcpAttempt
    /// TCP reset timer (`tcp_reset_delay`).
    case tcpReset
    /// TCP expire/session timer.
    case tcpExpire
    /// TCP close timer after a complete close (`tcp_close_delay`).
    case tcpClose
    /// TCP partial close timer (`tcp_partial_close_delay`).
    case tcpPartialClose
    /// Connection inactivity timer (UDP 60 s, TCP 300 s).
    case inactivity
    /// A SYN reused the 5-tuple of a connection that was replaced.
    case reuse
    /// A compressor pending SYN expired (`tcp_SYN_timeout`).
    case pendingExpired
    /// A compressor pending SYN was followed by a RST from the same side.
    case pendingReset
    /// A compressor pending SYN was followed by a FIN from the same side.
    case pendingFinished
    /// The end-of-trace flush.
    case endOfTrace
}

/// The facts the RPC layer's end-of-connection work needs (`.connectionRemoving`).
public struct ConnectionRemoval: Sendable, Hashable {
    public var slot: ConnectionSlot
    public var reason: RemovalReason
    public var summary: ConnectionSummary
    /// TCP only: the originator endpoint is `CLOSED` or its previous state was
    /// `CLOSED` (SEMANTICS-RPC §1.3.3).
    public var originatorIsOrWasClosed: Bool
    /// True when the connection has the RPC analyzer attached (responder port 111,
    /// not a flipped UDP flow).
    public var hasRPCAnalyzer: Bool
    /// Network time of the removal.
    public var time: Double
}

/// A new full connection: the slot now names it (side tables start here).
public struct ConnectionCreated: Sendable, Hashable {
    public var slot: ConnectionSlot
    /// The endpoints with the roles the tracker assigned.
    public var id: ConnectionID
    /// The RPC analyzer is attached: payload/data records will follow.
    public var hasRPCAnalyzer: Bool
    public var time: Double
}

/// A connection's final record (`connection_state_remove`, the conn.log line).
public struct ConnectionRemoved: Sendable, Hashable {
    /// nil for the compressor's synthetic records.
    public var slot: ConnectionSlot?
    public var reason: RemovalReason
    public var summary: ConnectionSummary
    public var time: Double
}

/// A reference event with the connection record as it stood when raised.
public struct ConnectionEventRecord: Sendable, Hashable {
    public var kind: ConnectionEventKind
    /// nil for compressor synthetic records.
    public var slot: ConnectionSlot?
    public var summary: ConnectionSummary
    public var time: Double
}

/// Application data for the RPC layer.
public struct PayloadRecord: Sendable, Hashable {
    public var slot: ConnectionSlot
    public var isOriginator: Bool
    public var bytes: PayloadBytes
    public var time: Double
}

/// A stretch of TCP sequence space in one direction (relative sequence numbers,
/// first payload byte after the SYN = 1).
public struct StreamRange: Sendable, Hashable {
    public var slot: ConnectionSlot
    public var isOriginator: Bool
    public var sequence: Int64
    public var length: Int64
    public var time: Double
}

/// Overlapping retransmitted bytes that differ from what was buffered.
public struct RexmitInconsistency: Sendable, Hashable {
    public var slot: ConnectionSlot
    public var old: PayloadBytes
    public var new: PayloadBytes
    public var time: Double
}

/// One record of the connection layer's ordered output.
///
/// Records appear in exactly the order the reference raises the corresponding
/// events or calls its application analyzers, so a consumer that handles them
/// in order (running the RPC layer inline for payload/data/removal records)
/// reproduces the reference's event order.
public enum ConnectionOutput: Sendable, Hashable {
    /// A full connection was created (UDP: first packet; TCP: first reply to a
    /// pending SYN, or the first packet without SYN).
    case connectionCreated(ConnectionCreated)
    /// A net/flow/conn weird.
    case weird(ConnectionWeird)
    /// A reference connection event (established, attempt, reset, ...).
    case event(ConnectionEventRecord)
    /// A UDP datagram's payload for the RPC analyzer (resp port 111/udp only).
    case udpPayload(PayloadRecord)
    /// In-order reassembled TCP bytes for the RPC stream analyzer (one chunk =
    /// one delivered block, as the reference delivers them).
    case tcpData(PayloadRecord)
    /// Bytes the reassembler skipped: the RPC stream analyzer must drop any
    /// partial message and resynchronise. Not an event by itself.
    case tcpUndelivered(StreamRange)
    /// The `content_gap` event (only raised while both endpoints are ESTABLISHED).
    case contentGap(StreamRange)
    /// The `ack_above_hole` event.
    case ackAboveHole(slot: ConnectionSlot, time: Double)
    /// The `rexmit_inconsistency` event.
    case rexmitInconsistency(RexmitInconsistency)
    /// A full connection is being removed: run the RPC layer's `Done` work now
    /// (UDP: time out pending calls; TCP: `partial_RPC_request` check). Never
    /// emitted for the compressor's synthetic records (they have no analyzers).
    case connectionRemoving(ConnectionRemoval)
    /// `connection_state_remove`: write the conn.log line. The slot is free after this.
    case connectionRemoved(ConnectionRemoved)
}

/// The caller-owned sink the tracker appends to.
///
/// One buffer per shard, cleared by the caller between packets (`removeAll()`
/// keeps capacity, so steady-state use allocates nothing). Bytes of `.buffered`
/// payloads live in the buffer's arena and stay valid until the next
/// `removeAll()`; `.packet` payloads point into the caller's packet memory.
///
/// A buffer is confined to its shard's thread and never re-entered, so its
/// storage skips the dynamic exclusivity checks (two begin/end access pairs per
/// call otherwise, several calls per packet).
public final class ConnectionOutputBuffer {
    @exclusivity(unchecked) public private(set) var records: [ConnectionOutput] = []
    /// Order notes (only with `ConnectionConfiguration.reportsOrderNotes`), in order.
    @exclusivity(unchecked) public private(set) var notes: [OrderNoteEntry] = []
    @exclusivity(unchecked) private var arena: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var arenaCapacity: Int
    @exclusivity(unchecked) private var arenaCount = 0

    public init(recordCapacity: Int = 64, arenaCapacity: Int = 64 * 1024) {
        records.reserveCapacity(recordCapacity)
        self.arenaCapacity = max(arenaCapacity, 64)
        arena = UnsafeMutableRawPointer.allocate(byteCount: self.arenaCapacity, alignment: 16)
    }

    deinit { arena.deallocate() }

    /// Drops all records and arena bytes, keeping the storage.
    public func removeAll() {
        // Most steps leave the buffer empty: skip the (non-inlined) array calls then.
        if !records.isEmpty { records.removeAll(keepingCapacity: true) }
        if !notes.isEmpty { notes.removeAll(keepingCapacity: true) }
        arenaCount = 0
    }

    /// The records and order notes of the current step, in one call. Kept out of
    /// line on purpose: inlined into another module (cross-module optimization),
    /// the two property reads come with dynamic exclusivity checks again
    /// (`@exclusivity(unchecked)` stays behind), ~150 instructions per step.
    @inline(never)
    public func contents() -> (records: [ConnectionOutput], notes: [OrderNoteEntry]) {
        (records, notes)
    }

    /// Nothing was appended since the last `removeAll()` (the usual case). Out of
    /// line for the same reason as `contents()`.
    @inline(never)
    public var isEmpty: Bool { records.isEmpty && notes.isEmpty }

    /// The bytes of a payload record; valid until the next `removeAll()` (or, for
    /// `.packet`, as long as the packet memory).
    public func bytes(_ payload: PayloadBytes) -> UnsafeRawBufferPointer {
        switch payload {
        case .packet(let p): return p
        case .buffered(let offset, let count):
            return UnsafeRawBufferPointer(start: arena + offset, count: count)
        }
    }

    func append(_ record: ConnectionOutput) { records.append(record) }

    func appendNote(_ note: OrderNote) { notes.append(OrderNoteEntry(position: records.count, note: note)) }

    /// Copies bytes into the arena (growing it if needed; earlier offsets stay valid).
    func stash(_ bytes: UnsafeRawBufferPointer) -> PayloadBytes {
        let needed = arenaCount + bytes.count
        if needed > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while newCapacity < needed { newCapacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            grown.copyMemory(from: arena, byteCount: arenaCount)
            arena.deallocate()
            arena = grown
            arenaCapacity = newCapacity
        }
        if let base = bytes.baseAddress, bytes.count > 0 {
            (arena + arenaCount).copyMemory(from: base, byteCount: bytes.count)
        }
        let result = PayloadBytes.buffered(offset: arenaCount, count: bytes.count)
        arenaCount = needed
        return result
    }
}
