import Connections
import PacketDecoding

/// A record of a shard batch, by position (the batch owns the RPC events it names).
struct MergedRecord {
    var batch: Int
    var record: Int
}

/// Why a sharded run cannot reproduce the one-shard output from some packet on
/// (see `Merge.placePacket`). The engine then finishes the trace sequentially.
public enum ShardDivergence: Sendable, Hashable, CustomStringConvertible {
    /// More timers were due at this packet than `max_timer_expires`, counted over
    /// all shards: the reference fires only the first ones in its global queue,
    /// a choice no shard can make alone.
    case timerLimit(fired: Int)
    /// The compressor's expiry passed entries in some shard that the reference's
    /// single pending list still holds behind an older, more recent SYN (SYN
    /// times out of order in the trace).
    case pendingExpiry(shardsPassed: Int, referencePassed: Int)

    public var description: String {
        switch self {
        case .timerLimit(let fired):
            return "\(fired) timers due at one packet across shards (more than max_timer_expires)"
        case .pendingExpiry(let passed, let reference):
            return "pending-SYN expiry passed \(passed) entries across shards, the single list \(reference)"
        }
    }
}

/// Combines the shards' record streams into the one-shard order, one packet at a
/// time, then the flush.
///
/// Within a packet the phases keep their order (`RecordPhase`). Inside a phase:
/// intake and packet records come from the packet's owner only; clock records are
/// groups, one per timer, placed by (fire time, global creation rank) as one
/// timer queue pops them; expiry records are groups, one per pending-list entry,
/// placed by the entry's creating packet. In the flush, timers and pending entries
/// likewise, then connections in the global dictionaries' order. Each shard's
/// groups are already in that relative order, so the first two are k-way merges.
///
/// Two global limits cannot be honoured by shards that run ahead independently:
/// `max_timer_expires` per packet, and the pending list's expiry stopping at a
/// recent entry of another shard. The merge checks before placing a packet that
/// neither made a difference (exact checks: when they pass, the placement equals
/// the one-shard run) and otherwise reports a `ShardDivergence`.
struct Merge {
    let shardCount: Int
    let timerLimit: Int
    let synTimeout: Double
    /// The placement of the current packet's (or the flush's) records.
    private(set) var order: [MergedRecord] = []
    private var global: GlobalOrder
    /// Per shard: position of the next unplaced record in its current batch.
    private var cursors: [Int]
    /// Per shard and phase (4 per shard): the current packet's record ranges.
    private var starts: [Int]
    private var ends: [Int]
    private var heads: [Int]
    /// Flush connections: (dictionary position, shard, start, end).
    private var flushGroups: [(position: Int, shard: Int, start: Int, end: Int)] = []

    init(shardCount: Int, configuration: ConnectionConfiguration) {
        self.shardCount = max(1, shardCount)
        timerLimit = configuration.maxTimerExpiriesPerPacket
        synTimeout = configuration.tcpSYNTimeout
        global = GlobalOrder(shardCount: self.shardCount)
        cursors = Array(repeating: 0, count: self.shardCount)
        starts = Array(repeating: 0, count: self.shardCount * 4)
        ends = Array(repeating: 0, count: self.shardCount * 4)
        heads = Array(repeating: 0, count: self.shardCount)
        order.reserveCapacity(256)
    }

    /// The shards start new batches (reset and refilled).
    mutating func beginBatches() {
        for s in cursors.indices { cursors[s] = 0 }
    }

    /// Places the records of `packet` (every shard's current batch is positioned
    /// at it). Without divergence `order` holds the placement; with one, nothing
    /// of the packet has been placed and the merge must not be used further.
    mutating func placePacket(_ packet: DispatchedPacket, batches: [RecordBatch]) -> ShardDivergence? {
        order.removeAll(keepingCapacity: true)
        if shardCount == 1 {
            let records = batches[0].records
            var c = cursors[0]
            while c < records.count && records[c].tag.sequence == packet.sequence {
                order.append(MergedRecord(batch: 0, record: c))
                c += 1
            }
            cursors[0] = c
            return nil
        }
        locate(packet.sequence, batches: batches)
        if let divergence = check(packet, batches: batches) { return divergence }
        mergeGroups(phase: Int(RecordPhase.clock.rawValue), batches: batches)
        appendRanges(phase: RecordPhase.intake.rawValue, batches: batches)
        mergeGroups(phase: Int(RecordPhase.expiry.rawValue), batches: batches)
        appendRanges(phase: RecordPhase.packet.rawValue, batches: batches)
        return nil
    }

    /// Skips the records of `packet` (a sequential catch-up discards them).
    mutating func skipPacket(_ packet: DispatchedPacket, batches: [RecordBatch]) {
        for s in 0 ..< shardCount {
            let records = batches[s].records
            var c = cursors[s]
            while c < records.count && records[c].tag.sequence == packet.sequence { c += 1 }
            cursors[s] = c
        }
    }

    /// Places the flush records (each shard's batch holds only its flush).
    mutating func placeFlush(batches: [RecordBatch]) {
        order.removeAll(keepingCapacity: true)
        if shardCount == 1 {
            for index in batches[0].records.indices { order.append(MergedRecord(batch: 0, record: index)) }
            return
        }
        for s in 0 ..< shardCount {
            let records = batches[s].records
            var c = 0
            for phase in RecordPhase.flushTimers.rawValue ... RecordPhase.flushUDP.rawValue {
                let slot = s * 4 + Int(phase - RecordPhase.flushTimers.rawValue)
                starts[slot] = c
                while c < records.count && records[c].tag.phase.rawValue == phase { c += 1 }
                ends[slot] = c
            }
        }
        mergeGroups(phase: 0, batches: batches)  // flushTimers (slot 0)
        mergeGroups(phase: 1, batches: batches)  // flushPending (slot 1)
        placeFlushedConnections(slot: 2, table: global.tcpTable, batches: batches)
        placeFlushedConnections(slot: 3, table: global.udpTable, batches: batches)
        global.reset()
    }

    // MARK: - Packet phases

    /// Splits each shard's records of packet `sequence` by phase.
    /// Runs once per packet and shard: the range tables are written through
    /// unsafe buffers (a checked array store per phase and shard cost more than
    /// the scan), and a shard without records of the packet, the usual case for
    /// all but its owner, is settled by one comparison.
    private mutating func locate(_ sequence: UInt64, batches: [RecordBatch]) {
        let shards = shardCount
        starts.withUnsafeMutableBufferPointer { starts in
            ends.withUnsafeMutableBufferPointer { ends in
                cursors.withUnsafeMutableBufferPointer { cursors in
                    for s in 0 ..< shards {
                        let records = batches[s].records
                        var c = cursors[s]
                        guard c < records.count, records[c].tag.sequence == sequence else {
                            for slot in s * 4 ..< s * 4 + 4 { starts[slot] = c; ends[slot] = c }
                            continue
                        }
                        for phase in 0 ..< 4 {
                            starts[s * 4 + phase] = c
                            while c < records.count && records[c].tag.sequence == sequence
                                && records[c].tag.phase.rawValue == UInt8(phase) { c += 1 }
                            ends[s * 4 + phase] = c
                        }
                        cursors[s] = c
                    }
                }
            }
        }
    }

    /// The exactness conditions of a sharded packet (see the type's comment).
    private mutating func check(_ packet: DispatchedPacket, batches: [RecordBatch]) -> ShardDivergence? {
        var fired = 0
        var passed = 0
        for s in 0 ..< shardCount {
            let records = batches[s].records
            for i in starts[s * 4] ..< ends[s * 4] {
                if case .order(.timerFired) = records[i].kind { fired += 1 }
            }
            for i in starts[s * 4 + 2] ..< ends[s * 4 + 2] {
                if case .order(.pendingPassed) = records[i].kind { passed += 1 }
            }
        }
        // Each shard stops at the limit itself; when all together fired no more
        // than the limit, every due timer fired, as in the single queue.
        if fired > timerLimit { return .timerLimit(fired: fired) }
        // A shard's list passes everything the single list passes (it has fewer
        // entries to stop at), so equal counts mean equal entries; and where no
        // shard passed anything, the single list passes nothing either.
        if passed > 0 {
            let reference = global.pending.pass(at: packet.time.seconds, timeout: synTimeout)
            if reference != passed { return .pendingExpiry(shardsPassed: passed, referencePassed: reference) }
        }
        return nil
    }

    /// Records of a phase that only the packet's owner produces, in shard order.
    private mutating func appendRanges(phase: UInt8, batches: [RecordBatch]) {
        for s in 0 ..< shardCount {
            let slot = s * 4 + Int(phase)
            if starts[slot] < ends[slot] { place(s, starts[slot] ..< ends[slot], batches) }
        }
    }

    /// K-way merge of the groups of one phase slot (0...3 of each shard's four).
    private mutating func mergeGroups(phase slot: Int, batches: [RecordBatch]) {
        var active = 0
        var only = 0
        for s in 0 ..< shardCount where starts[s * 4 + slot] < ends[s * 4 + slot] {
            active += 1
            only = s
        }
        if active == 0 { return }
        if active == 1 {
            place(only, starts[only * 4 + slot] ..< ends[only * 4 + slot], batches)
            return
        }
        for s in 0 ..< shardCount { heads[s] = starts[s * 4 + slot] }
        while true {
            var best = -1
            var bestKey = GroupKey.first
            for s in 0 ..< shardCount where heads[s] < ends[s * 4 + slot] {
                let key = groupKey(batches[s].records[heads[s]], shard: s)
                if best < 0 || key < bestKey {
                    best = s
                    bestKey = key
                }
            }
            if best < 0 { return }
            let records = batches[best].records
            let start = heads[best]
            let end = ends[best * 4 + slot]
            var next = start + 1
            while next < end && !Self.startsGroup(records[next]) { next += 1 }
            place(best, start ..< next, batches)
            heads[best] = next
        }
    }

    /// Where a group goes: a timer by (time, global creation rank), a pending
    /// entry by its creating packet.
    private func groupKey(_ record: EngineRecord, shard: Int) -> GroupKey {
        guard case .order(let note) = record.kind else { return .first }
        switch note {
        case .timerFired(let id, let time):
            return GroupKey(time: time, rank: global.timerRank(shard: shard, id: id))
        case .timerDiscarded(let id):
            // No effect and no records: anywhere consistent will do; keep its queue position.
            return GroupKey(time: -.infinity, rank: global.timerRank(shard: shard, id: id))
        case .pendingPassed(let sequence):
            return GroupKey(time: 0, rank: sequence)
        default:
            return .first
        }
    }

    private static func startsGroup(_ record: EngineRecord) -> Bool {
        if case .order(let note) = record.kind { return note.startsGroup }
        return false
    }

    /// Appends a run of one shard's records, applying its order notes.
    private mutating func place(_ shard: Int, _ range: Range<Int>, _ batches: [RecordBatch]) {
        let records = batches[shard].records
        for i in range {
            if case .order(let note) = records[i].kind {
                global.apply(note, shard: shard)
            } else {
                order.append(MergedRecord(batch: shard, record: i))
            }
        }
    }

    // MARK: - Flush

    /// Flush steps 3 and 4: the connections left in the global dictionary, in its
    /// iteration order (a shard's own dictionary orders them differently: its
    /// bucket count and resizes depend on its own entries).
    private mutating func placeFlushedConnections(slot: Int, table: ReferenceOrder, batches: [RecordBatch]) {
        flushGroups.removeAll(keepingCapacity: true)
        var positions: [FlowKey: Int] = [:]
        for (position, key) in table.orderedKeys().enumerated() { positions[key] = position }
        for s in 0 ..< shardCount {
            let records = batches[s].records
            var start = starts[s * 4 + slot]
            let end = ends[s * 4 + slot]
            while start < end {
                var next = start + 1
                while next < end && !Self.startsGroup(records[next]) { next += 1 }
                var position = Int.max
                if case .order(.flushing(let key)) = records[start].kind, let p = positions[key] { position = p }
                flushGroups.append((position, s, start, next))
                start = next
            }
        }
        // Unknown keys (none unless a note went missing) go last, by shard and position.
        flushGroups.sort { ($0.position, $0.shard, $0.start) < ($1.position, $1.shard, $1.start) }
        for group in flushGroups { place(group.shard, group.start ..< group.end, batches) }
    }
}

/// Sort key of a record group within a phase.
struct GroupKey: Comparable {
    var time: Double
    var rank: UInt64

    static let first = GroupKey(time: -.infinity, rank: 0)

    static func < (a: GroupKey, b: GroupKey) -> Bool {
        a.time < b.time || (a.time == b.time && a.rank < b.rank)
    }
}
