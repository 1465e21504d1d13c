import Connections
import PacketDecoding

/// The reference's global structures, rebuilt by the merge from the shards' order
/// notes as it places their records (so in the one-shard order):
/// - the creation order of all timers (ties between equal times, §2.6);
/// - the compressor's one pending list (its expiry stops at the first recent
///   entry, whichever shard that entry belongs to, §2.4);
/// - the TCP (compressor) and UDP dictionaries, for the flush order (§2.7–§2.8).
struct GlobalOrder {
    /// Global creation rank of each shard's scheduled timers, by the shard's own
    /// timer id; an entry lives until its timer pops, so the tables stay as small
    /// as the shards' timer queues.
    private var timerRanks: [[ShardTimerID: UInt64]]
    private var nextTimerRank: UInt64 = 0
    var pending = PendingListModel()
    var tcpTable = ReferenceOrder()
    var udpTable = ReferenceOrder()

    init(shardCount: Int) {
        timerRanks = Array(repeating: [:], count: shardCount)
    }

    /// Global creation rank of a shard's timer (0 for an unknown id, which only a
    /// bug could produce; it then sorts first, deterministically).
    func timerRank(shard: Int, id: UInt64) -> UInt64 {
        timerRanks[shard][ShardTimerID(id)] ?? 0
    }

    /// Applies a note at the point the merge places it.
    mutating func apply(_ note: OrderNote, shard: Int) {
        switch note {
        case .timerScheduled(let id):
            timerRanks[shard][ShardTimerID(id)] = nextTimerRank
            nextTimerRank &+= 1
        case .timerFired(let id, _), .timerDiscarded(let id):
            timerRanks[shard].removeValue(forKey: ShardTimerID(id))
        case .pendingAppended(_, let time):
            pending.append(time: time)
        case .tableInserted(let key):
            if key.transport == .tcp { tcpTable.insert(key) } else { udpTable.insert(key) }
        case .tableRemoved(let key):
            if key.transport == .tcp { tcpTable.remove(key) } else { udpTable.remove(key) }
        case .pendingPassed, .flushing:
            break
        }
    }

    /// End of trace: everything is gone.
    mutating func reset() {
        for i in timerRanks.indices { timerRanks[i].removeAll() }
        pending = PendingListModel()
        tcpTable = ReferenceOrder()
        udpTable = ReferenceOrder()
    }
}

/// A shard's timer id as a rank-table key. Every timer is inserted and removed
/// once: a seeded SplitMix finalizer of the id (consecutive integers, so the
/// mix matters) replaces the SipHash `UInt64` keys use.
struct ShardTimerID: Hashable {
    let id: UInt64

    init(_ id: UInt64) { self.id = id }

    func _rawHashValue(seed: Int) -> Int {
        var z = id ^ UInt64(UInt(bitPattern: seed))
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }
}

/// The times of the compressor's pending list in creation order (one entry per
/// `pendingAppended`, valid or not: the reference's expiry walks invalid entries
/// too) and the position its expiry has reached.
struct PendingListModel {
    private var times: [Double] = []
    private var head = 0

    mutating func append(time: Double) {
        times.append(time)
    }

    /// `DoExpire` at a TCP packet of time `t`: how many entries it passes.
    /// (`t == 0` passes every entry, as the tracker's expiry does.)
    mutating func pass(at t: Double, timeout: Double) -> Int {
        let start = head
        while head < times.count {
            if t != 0 && times[head] + timeout > t { break }
            head += 1
        }
        let passed = head - start
        if head == times.count {
            times.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
        return passed
    }
}
