import Connections
import PacketDecoding
import Portmapper

/// Within one packet, records of the clock tick (timers that fire before the
/// packet, SEMANTICS-CONN §1.3 step 1) come before records of the packet itself.
public enum RecordPhase: UInt8, Sendable, Comparable {
    /// Timers fired by the packet's advance of network time.
    case clock = 0
    /// Pending-SYN expiry run by a TCP packet of another shard's flow (the
    /// reference's single compressor expires before the packet's lookup).
    case expiry = 1
    /// Intake, connection layer and RPC analysis of the packet.
    case packet = 2
    /// The end-of-trace flush (SEMANTICS-CONN §2.7).
    case flush = 3

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Where a record sits in the reference's dispatch order: the packet that caused it,
/// the phase within that packet, and the shard-local position within the phase.
/// Merging shard outputs by this key reproduces a one-shard run.
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
}

/// A record with its dispatch position and network time.
public struct EngineRecord: Sendable {
    public var tag: RecordTag
    /// Network time when raised.
    public var time: Double
    public var kind: EngineRecordKind
}

/// What one shard produced for one packet (or for the flush): records in dispatch
/// order and the RPC events they refer to. Reused from packet to packet: clearing
/// keeps the storage, so steady state allocates nothing.
///
/// Owned by one shard's thread at a time; its storage skips dynamic exclusivity checks.
public final class RecordBatch {
    @exclusivity(unchecked) public private(set) var records: [EngineRecord] = []
    /// RPC/portmapper events referenced by `.rpcEvent` records (DUMP lists live in
    /// its `payloadWords`).
    @exclusivity(unchecked) public var rpcEvents = PortmapEventBuffer()
    /// Packet sequence the next records are tagged with.
    @exclusivity(unchecked) var sequence: UInt64 = 0
    @exclusivity(unchecked) var phase: RecordPhase = .clock
    @exclusivity(unchecked) var nextOrder: UInt32 = 0

    public init() {
        records.reserveCapacity(64)
    }

    /// Starts a new packet: drops the previous records and events.
    func begin(sequence: UInt64) {
        records.removeAll(keepingCapacity: true)
        rpcEvents.removeAll()
        self.sequence = sequence
        phase = .clock
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
