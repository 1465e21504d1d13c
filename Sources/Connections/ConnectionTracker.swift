import PacketDecoding

/// Counters of what the connection layer did (for `bench`/diagnostics).
public struct ConnectionStatistics: Sendable, Hashable {
    public var udpConnectionsCreated = 0
    public var tcpConnectionsCreated = 0
    public var pendingSYNsCreated = 0
    public var connectionsRemoved = 0
    public var timersFired = 0
    public var timerLimitHits = 0
    /// Delivered-but-unacknowledged blocks dropped by the memory guard.
    public var awaitingAckBytesDropped: Int64 = 0
    public var liveConnections = 0
    public var pendingSYNs = 0
    public init() {}
}

/// The connection layer of one shard: connection tables, the TCP connection
/// compressor, UDP/TCP endpoint state, reassembly and the timers that run on
/// network time (SEMANTICS-CONN §1.3 step 1 and §2–§4).
///
/// Usage per packet that passed the capture filter:
/// 1. `advanceClock(to:into:)` — every packet, whichever shard owns its flow,
///    so timers fire exactly where a sequential run fires them;
/// 2. for a TCP packet that reached connection lookup but belongs to another
///    shard: `expirePendingSYNs(at:into:)`;
/// 3. for a UDP/TCP packet of this shard: `process(_:into:)`.
/// At the end of the trace: `finish(into:)`.
///
/// Every call appends ordered records to the caller's `ConnectionOutputBuffer`
/// (see `ConnectionOutput` for the contract). No globals: every tracker is
/// independent.
///
/// Sharding note: the reference has one timer queue, one compressor list and one
/// TCP and one UDP dictionary. A tracker models its own, so a one-shard run
/// reproduces the reference exactly; with `reportsOrderNotes` it also reports
/// what an engine running several trackers needs to merge their outputs in the
/// global orders (`OrderNote`).
public struct ConnectionTracker {
    var ctx: TrackerContext
    var conns: [Connection] = []
    var freeSlots: [Int32] = []
    var udpTable: [FlowKey: Int32] = [:]
    var udpOrder = ReferenceOrder()
    var tcpTable: [FlowKey: TCPTableEntry] = [:]
    /// The compressor's dictionary order: pending SYNs and full TCP connections.
    var tcpOrder = ReferenceOrder()
    var compressor = ConnectionCompressor()
    /// The compressor builds one synthetic record per packet and reuses it for
    /// every event of that packet (its `conn_val` cache); keyed by pending id.
    var compressorRecordCache: (pid: Int, summary: ConnectionSummary)? = nil
    public internal(set) var statistics = ConnectionStatistics()

    public init(configuration: ConnectionConfiguration = ConnectionConfiguration()) {
        ctx = TrackerContext(out: ConnectionOutputBuffer(recordCapacity: 0, arenaCapacity: 64),
                             config: configuration)
    }

    public var configuration: ConnectionConfiguration { ctx.config }

    /// The reference's `network_time`: the highest packet timestamp seen.
    public var networkTime: Double { ctx.networkTime }

    /// Whether `advanceClock(to:)` at network time `time` would fire a timer. A
    /// sharded engine skips the clock of packets of other shards otherwise (the
    /// clock catches up at the next call: network time is a running maximum).
    ///
    /// `mutating` although it changes nothing: asked once per packet per shard on a
    /// tracker stored in a class, a non-mutating call copies the whole tracker first.
    public mutating func hasTimerDue(atNetworkTime time: Double) -> Bool {
        guard let top = ctx.timers.top else { return false }
        return top.time <= max(time, ctx.networkTime)
    }

    /// Brings network time up to `time` without running timers: for an engine that
    /// skipped clock ticks because no timer was due (`hasTimerDue`).
    public mutating func catchUpNetworkTime(_ time: Double) {
        if time > ctx.networkTime { ctx.networkTime = time }
    }

    /// Whether `expirePendingSYNs(at:into:)` at packet time `time` would pass any
    /// entry of the compressor's pending list (`mutating` for the same reason).
    public mutating func hasPendingExpiryDue(at time: PacketTime) -> Bool {
        guard compressor.head < compressor.entries.count else { return false }
        let t = time.seconds
        return t == 0 || compressor.entries[compressor.head].time + ctx.config.tcpSYNTimeout <= t
    }

    /// Number of live (full) connections.
    public var connectionCount: Int { udpTable.count + tcpTable.count - compressor.validCount }

    /// The current record of a live connection.
    public func summary(of slot: ConnectionSlot) -> ConnectionSummary? {
        let i = Int(slot.index)
        guard i >= 0, i < conns.count, conns[i].isLive else { return nil }
        return conns[i].summary()
    }

    /// `summary(of:)` for a tracker stored in a class property (an engine shard):
    /// `mutating` although it changes nothing, so the call borrows the tracker in
    /// place rather than copying (and retaining) all of it first (see `hasTimerDue`).
    public mutating func currentSummary(of slot: ConnectionSlot) -> ConnectionSummary? {
        let i = Int(slot.index)
        guard i >= 0, i < conns.count, conns[i].isLive else { return nil }
        return conns[i].summary()
    }

    /// Tells the tracker that another layer (RPC) raised a conn weird on this
    /// connection: the reference's `DidWeird` then suppresses `possible_split_routing`.
    public mutating func noteWeird(on slot: ConnectionSlot) {
        let i = Int(slot.index)
        guard i >= 0, i < conns.count, conns[i].isLive else { return }
        conns[i].didWeird = true
    }

    /// Processes one UDP or TCP packet of this shard. Does not advance the clock:
    /// call `advanceClock(to:into:)` first (or use `processPacket(_:into:)`).
    public mutating func process(_ segment: TransportSegment, into out: ConnectionOutputBuffer) {
        ctx.use(out)
        ctx.packetTime = segment.time.seconds
        switch segment.proto {
        case .udp: processUDP(segment)
        case .tcp: processTCP(segment)
        case .icmp: break
        }
    }

    /// `advanceClock` followed by `process`, for a single-shard run.
    public mutating func processPacket(_ segment: TransportSegment, into out: ConnectionOutputBuffer) {
        advanceClock(to: segment.time, into: out)
        process(segment, into: out)
    }

    // MARK: - Slots

    mutating func allocateSlot() -> Int32 {
        if let s = freeSlots.popLast() {
            conns[Int(s)].isLive = true
            return s
        }
        let s = Int32(conns.count)
        var c = Connection()
        c.slot = s
        c.isLive = true
        conns.append(c)
        return s
    }

    /// Sets up a fresh connection in a new slot (`Connection` constructor).
    mutating func newConnection(
        key: FlowKey, id: ConnectionID, startTime: Double
    ) -> Int32 {
        let s = allocateSlot()
        let incarnation = conns[Int(s)].incarnation
        var c = Connection()
        c.isLive = true
        c.slot = s
        c.incarnation = incarnation
        c.key = key
        c.id = id
        c.startTime = startTime
        c.lastTime = startTime
        conns[Int(s)] = c
        statistics.liveConnections += 1
        return s
    }

    /// The `.connectionCreated` record of a new full connection.
    func announce(_ slot: Int32) {
        let i = Int(slot)
        ctx.out.append(.connectionCreated(ConnectionCreated(
            slot: conns[i].connectionSlot, id: conns[i].id, hasRPCAnalyzer: conns[i].hasRPC, time: ctx.networkTime)))
    }

    /// `NetSessions::Remove`: analyzers finish (`.connectionRemoving`), then
    /// `connection_state_remove` (`.connectionRemoved`); the slot is freed and
    /// all of the connection's timers die.
    mutating func removeConnection(_ slot: Int32, reason: RemovalReason) {
        let i = Int(slot)
        guard conns[i].isLive else { return }
        emitRemoval(slot, reason: reason)
        let key = conns[i].key
        if conns[i].id.proto == .tcp {
            if case .connection(let s)? = tcpTable[key], s == slot {
                tcpTable[key] = nil
                orderRemove(key)
            }
        } else if udpTable[key] == slot {
            udpTable[key] = nil
            orderRemove(key)
        }
        freeSlot(slot)
    }

    /// The two removal records of a full connection.
    mutating func emitRemoval(_ slot: Int32, reason: RemovalReason) {
        // Fields in place: binding the connection would copy it (four block-list arrays).
        let i = Int(slot)
        let summary = conns[i].summary()
        let origClosed = conns[i].id.proto == .tcp
            && (conns[i].tcp.orig.state == .closed || conns[i].tcp.orig.prevState == .closed)
        let connectionSlot = conns[i].connectionSlot
        ctx.out.append(.connectionRemoving(ConnectionRemoval(
            slot: connectionSlot, reason: reason, summary: summary,
            originatorIsOrWasClosed: origClosed, hasRPCAnalyzer: conns[i].hasRPC, time: ctx.networkTime)))
        ctx.out.append(.connectionRemoved(ConnectionRemoved(
            slot: connectionSlot, reason: reason, summary: summary, time: ctx.networkTime)))
        statistics.connectionsRemoved += 1
    }

    /// The reference's dictionary `Insert` for `key` (TCP: the compressor's table).
    mutating func orderInsert(_ key: FlowKey) {
        if key.transport == .tcp { tcpOrder.insert(key) } else { udpOrder.insert(key) }
        ctx.note(.tableInserted(key))
    }

    /// The reference's dictionary `Remove` for `key`.
    mutating func orderRemove(_ key: FlowKey) {
        if key.transport == .tcp { tcpOrder.remove(key) } else { udpOrder.remove(key) }
        ctx.note(.tableRemoved(key))
    }

    mutating func freeSlot(_ slot: Int32) {
        let i = Int(slot)
        let incarnation = conns[i].incarnation &+ 1
        // Drop the old state (and its buffers) but keep the slot's identity.
        var c = Connection()
        c.slot = slot
        c.incarnation = incarnation
        conns[i] = c
        freeSlots.append(slot)
        statistics.liveConnections -= 1
    }
}

/// What a key of the compressor's dictionary maps to.
enum TCPTableEntry: Sendable, Hashable {
    case connection(Int32)
    case pending(Int)
}
