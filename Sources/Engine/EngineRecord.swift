import Connections
import PacketDecoding
import Portmapper

/// Within one packet, the reference's order of work (SEMANTICS-CONN §1.3): timers
/// that the packet's advance of network time fires, intake weirds, the compressor's
/// pending-SYN expiry (TCP packets), then the packet's own connection and RPC work.
/// The end-of-trace flush has four steps of its own (§2.7).
public enum RecordPhase: UInt8, Sendable, Comparable {
    /// Timers fired by the packet's advance of network time.
    case clock = 0
    /// Net/flow weirds of packet intake.
    case intake = 1
    /// Pending-SYN expiry run by a TCP packet reaching connection lookup (the
    /// reference's single compressor runs it whichever flow the packet belongs to).
    case expiry = 2
    /// Connection layer and RPC analysis of the packet.
    case packet = 3
    /// Flush step 1: every pending timer, in time order.
    case flushTimers = 4
    /// Flush step 2: the compressor's pending SYNs, in list order.
    case flushPending = 5
    /// Flush step 3: remaining TCP connections, in the reference's dictionary order.
    case flushTCP = 6
    /// Flush step 4: remaining UDP connections, likewise.
    case flushUDP = 7

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Where a record sits in the reference's dispatch order: the packet that caused it,
/// the phase within that packet, and the shard-local position within the phase.
/// Within a phase, records of several shards are placed by the global orders the
/// order notes carry (see `GlobalOrder`).
public struct RecordTag: Sendable, Hashable, Comparable {
    /// Global sequence number of the packet (flush records: one past the last packet).
    public var sequence: UInt64
    public var phase: RecordPhase
    /// Position within (sequence, phase) in the shard that produced the record.
    public var order: UInt32

    public static func < (a: Self, b: Self) -> Bool {
        (a.sequence, a.phase.rawValue, a.order) < (b.sequence, b.phase.rawValue, b.order)
    }
}

/// A TCP-layer event that weird.bro turns into a notice.
public enum ConnectionNoticeKind: Sendable {
    case contentGap(isOriginator: Bool, sequence: Int64, length: Int64)
    case ackAboveHole
    /// Copies of the differing old and new bytes (rare, so copying is fine).
    case rexmitInconsistency(old: [UInt8], new: [UInt8])
}

/// One thing that happened, as a shard reports it to the merge and the policy stage.
public enum EngineRecordKind: Sendable {
    /// A net or flow weird raised by packet intake.
    case intakeWeird(PacketWeird)
    /// A weird raised by the connection layer, with the connection's record if it has one.
    case connectionWeird(ConnectionWeird, ConnectionSummary?)
    /// A connection event (established, attempt, ...) for Hot/Scan.
    case connectionEvent(ConnectionEventRecord)
    /// An RPC/portmapper event: index into the batch's `rpcEvents`, with the
    /// connection's record as of the event.
    case rpcEvent(index: Int, connection: ConnectionSummary)
    /// content_gap / ack_above_hole / rexmit_inconsistency.
    case connectionNotice(ConnectionNoticeKind, connection: ConnectionSummary)
    /// `connection_state_remove`: the conn.log line.
    case connectionRemoved(ConnectionRemoved)
    /// Bookkeeping for the merge of several shards (no output; only with more than one shard).
    case order(OrderNote)
}

/// A record with its dispatch position and network time.
public struct EngineRecord: Sendable {
    public var tag: RecordTag
    /// Network time when raised.
    public var time: Double
    public var kind: EngineRecordKind
}

/// What one shard produced for one dispatch batch (plus, separately, for the
/// flush): records in dispatch order and the RPC events they refer to. Reused from
/// batch to batch: clearing keeps the storage, so steady state allocates nothing.
///
/// Owned by one thread at a time (the shard's, then the merge's); its storage
/// skips dynamic exclusivity checks.
public final class RecordBatch: @unchecked Sendable {
    @exclusivity(unchecked) public private(set) var records: [EngineRecord] = []
    /// RPC/portmapper events referenced by `.rpcEvent` records (DUMP lists live in
    /// its `payloadWords`).
    @exclusivity(unchecked) public var rpcEvents = PortmapEventBuffer()
    /// Packet sequence the next records are tagged with.
    @exclusivity(unchecked) var sequence: UInt64 = 0
    @exclusivity(unchecked) var phase: RecordPhase = .clock
    @exclusivity(unchecked) var nextOrder: UInt32 = 0

    public init() {
        records.reserveCapacity(256)
    }

    /// Drops every record and event.
    func reset() {
        records.removeAll(keepingCapacity: true)
        rpcEvents.removeAll()
    }

    /// Starts the records of a new packet (or of the flush), in its first phase.
    func begin(sequence: UInt64, phase: RecordPhase = .clock) {
        self.sequence = sequence
        self.phase = phase
        nextOrder = 0
    }

    /// Switches to a later phase of the same packet.
    func enter(_ phase: RecordPhase) {
        self.phase = phase
        nextOrder = 0
    }

    func append(_ kind: EngineRecordKind, time: Double) {
        records.append(EngineRecord(
            tag: RecordTag(sequence: sequence, phase: phase, order: nextOrder), time: time, kind: kind))
        nextOrder &+= 1
    }
}
