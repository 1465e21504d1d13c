import PacketDecoding

/// The single-threaded policy stage: all state the reference keeps in script globals
/// (weird de-duplication, did_pm_log, notice tags, RPC_server_map, annotations, scan
/// counters) lives in one instance, fed an ordered stream of `PolicyInput`s.
///
/// Events are queued and drained FIFO like the reference's event queue, because a script
/// handler can raise an event that must run *after* everything already queued for the
/// same packet (`pm_bad_port` → `conn_weird_addl`, SEMANTICS-RPC §2.3). Callers enqueue a
/// packet's inputs and then `drain()`, or use `process(_:)` for both.
///
/// Confined to one thread and never re-entered across handlers that touch the same
/// table, so its state skips the dynamic exclusivity checks (a measurable share of
/// every table access otherwise).
public final class PolicyEngine {
    public let configuration: PolicyConfiguration
    /// Whether `pm_bad_port` raises `conn_weird_addl("bad_pm_port")` here (the script's
    /// behaviour). Off when the RPC stage already emits that weird itself.
    public let derivesBadPortWeird: Bool

    /// Network time: the maximum input time seen.
    @exclusivity(unchecked) public private(set) var networkTime: Double = 0
    @exclusivity(unchecked) var queue: [PolicyInput] = []
    @exclusivity(unchecked) var queueHead = 0
    @exclusivity(unchecked) var output = PolicyOutput()

    // Per-connection script state (`c$addl`, `c$service`, `c$hot`).
    @exclusivity(unchecked) var connections: [ConnectionID: ConnectionRecord] = [:]

    // portmapper.bro
    /// `did_pm_log[client, server, proc]`: per procedure, client and server packed in a word.
    @exclusivity(unchecked) var didPMLog = [WordSet](repeating: WordSet(), count: PortmapperProcedure.allCases.count)
    /// `suppress_pm_log`: the script only ever adds `[client, "walld"]`, so the
    /// clients are kept and a lookup with any other name is false without hashing.
    @exclusivity(unchecked) var suppressPMLogWalld: Set<IPv4Address> = []
    @exclusivity(unchecked) var rpcServerMap: [ServerPort: String] = [:]
    let anyRPCOkay: Set<AddressName>
    let portNames: PortNameTable
    /// `rpc_programs` keyed by program number + 1 (0 marks empty slots).
    let programNames: WordMap<String>
    /// hot.bro's port tables as bits: `check_hot` tests them for every portmapper call.
    let hotAllowPorts: PortBits
    let hotSuccessPorts: PortBits
    let hotRejectedPorts: PortBits
    /// scan.bro's `skip_services` / `skip_outbound_services` as bits.
    let scanSkipPorts: PortBits
    let scanSkipOutboundPorts: PortBits
    /// Whether any connection's `c$service` ever held `ftp-data` (hot.bro and scan.bro
    /// exempt those connections); until then the per-connection test is skipped.
    @exclusivity(unchecked) var servicesIncludeFTPData = false
    /// `rpc_do_not_complain[[proc, T]]` by `PortmapperProcedure.rawValue`.
    let quietWhenAnswered: [Bool]

    // weird.bro
    @exclusivity(unchecked) var weirdIgnore: [String: WeirdIgnoreEntry] = [:]
    /// Address pairs of connection-keyed `weirdIgnore` entries (a superset, pruned at
    /// sweeps): a removed connection whose pair is absent has no entry, which spares
    /// building its id string.
    @exclusivity(unchecked) var weirdIgnorePairs = WordSet()
    @exclusivity(unchecked) var didNoticeConnection: [ConnectionNameKey: Double] = [:]
    @exclusivity(unchecked) var didNoticeOriginator: [AddressName: Double] = [:]
    @exclusivity(unchecked) var didWeirdLog: [String: Double] = [:]
    @exclusivity(unchecked) var didInconsistencyMessage: Set<ConnectionID> = []

    // notice.bro
    @exclusivity(unchecked) var noticeCounter: UInt64 = 0
    @exclusivity(unchecked) var noticeTags: [ConnectionID: String] = [:]
    @exclusivity(unchecked) var tagDeletions: [(time: Double, id: ConnectionID)] = []
    @exclusivity(unchecked) var tagDeletionHead = 0

    // scan.bro
    @exclusivity(unchecked) var scan = ScanState()

    /// Expiring tables are swept at the first clock advance and then every
    /// `table_expire_interval` (the reference's table timers start at time ~0).
    @exclusivity(unchecked) var nextSweep: Double = 0.01
    /// `ScriptTableOrder.dumpVisitOrder` by entry count: it depends on the count only.
    @exclusivity(unchecked) var dumpVisitOrders: [Int: [Int]] = [:]
    /// conn.log service picks by service list (see `firstService`).
    @exclusivity(unchecked) var firstServices: [[String]: String] = [:]
    @exclusivity(unchecked) var firstServicesByCode: [UInt64: String] = [:]
    /// Reused bytes for building message texts (leaf helpers only, never nested).
    let scratch = LineBuffer(capacity: 512)
    /// Joined `c$addl` texts (see `annotate`).
    let annotationScratch = LineBuffer(capacity: 256)
    /// Bytes of a notice tag under construction (may be drawn while `scratch` holds a message).
    let tagScratch = LineBuffer(capacity: 64)
    /// `mappingText`'s entry texts, their ranges and the distinct entries of one reply.
    let mappingArena = LineBuffer(capacity: 1024)
    @exclusivity(unchecked) var mappingRanges: [ArenaRange] = []
    @exclusivity(unchecked) var mappingSeen: [MappingKey] = []
    /// Lets sweeps skip tables in which nothing can have expired yet.
    @exclusivity(unchecked) var expiryBounds = ExpiryBounds()

    public init(configuration: PolicyConfiguration = PolicyConfiguration(), derivesBadPortWeird: Bool = true) {
        self.configuration = configuration
        self.derivesBadPortWeird = derivesBadPortWeird
        var okay = configuration.anyRPCOkay
        for server in configuration.nfsWorldServers {
            for service in configuration.nfsServices { okay.insert(AddressName(server, service)) }
        }
        anyRPCOkay = okay
        portNames = PortNameTable(configuration.portNames)
        programNames = WordMap(configuration.rpcPrograms.map { (key: UInt64($0.key) + 1, value: $0.value) })
        hotAllowPorts = PortBits(configuration.hotAllowServices)
        hotSuccessPorts = PortBits(
            Array(configuration.flagSuccessfulService.keys) + Array(configuration.flagSuccessfulInboundService.keys))
        hotRejectedPorts = PortBits(configuration.flagRejectedService)
        scanSkipPorts = PortBits(configuration.scan.skipServices)
        scanSkipOutboundPorts = PortBits(configuration.scan.skipOutboundServices)
        var quiet = [Bool](repeating: false, count: PortmapperProcedure.allCases.count)
        for procedure in PortmapperProcedure.allCases {
            quiet[Int(procedure.rawValue)] = configuration.rpcDoNotComplain.contains(
                ProcedureOutcome(procedure.scriptName, answered: true))
        }
        quietWhenAnswered = quiet
    }

    // MARK: feeding

    /// Queues an input behind everything already queued.
    public func enqueue(_ input: PolicyInput) {
        queue.append(input)
    }

    /// Dispatches a caller's input at once instead of queueing it. Handlers only ever
    /// append raised events behind the queue, so dispatching each of a packet's inputs
    /// in order and then calling `drain()` runs exactly what enqueueing them all and
    /// draining would, without copying every input into and out of the queue.
    /// Precondition: no caller-enqueued input is still waiting in the queue.
    public func dispatchNow(_ input: PolicyInput) {
        dispatch(input)
    }

    /// Processes queued inputs in FIFO order, including those raised while draining.
    public func drain() {
        if queue.isEmpty { return }
        while queueHead < queue.count {
            let input = queue[queueHead]
            queueHead += 1
            dispatch(input)
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
    }

    /// Enqueues a batch (normally one packet's worth) and drains it.
    public func process<S: Sequence>(_ inputs: S) where S.Element == PolicyInput {
        for input in inputs { enqueue(input) }
        drain()
    }

    /// Hands out and clears the records produced so far.
    public func takeOutput() -> PolicyOutput {
        defer { output = PolicyOutput() }
        return output
    }

    /// Whether any record was produced since the last `clearOutput()`.
    public var hasOutput: Bool { !output.isEmpty }

    /// The records produced since the last `clearOutput()` (or `takeOutput()`).
    public var pendingOutput: PolicyOutput { output }

    /// Forgets the records produced so far, keeping the lists' storage when no
    /// reader still holds them (a caller that writes them out at once).
    public func clearOutput() {
        if !output.weirds.isEmpty { output.weirds.removeAll(keepingCapacity: true) }
        if !output.notices.isEmpty { output.notices.removeAll(keepingCapacity: true) }
        if !output.connections.isEmpty { output.connections.removeAll(keepingCapacity: true) }
    }

    func dispatch(_ input: PolicyInput) {
        advanceClock(to: input.time)
        switch input {
        case .networkTime:
            break
        case .portmapper(_, let connection, let event):
            handlePortmapper(event, connection: connection)
        case .weird(_, let event):
            handleWeird(event)
        case .connectionNotice(_, let connection, let event):
            handleConnectionNotice(event, connection: connection)
        case .connectionEvent(_, let connection, let event, let summary):
            handleConnectionEvent(event, connection: connection, summary: summary)
        case .connectionRemoved(_, let removal):
            handleConnectionRemoved(removal)
        case .endOfInput:
            handleEndOfInput()
        }
    }

    // MARK: clock

    func advanceClock(to time: Double) {
        if time > networkTime { networkTime = time }
        while tagDeletionHead < tagDeletions.count && tagDeletions[tagDeletionHead].time <= networkTime {
            noticeTags[tagDeletions[tagDeletionHead].id] = nil
            tagDeletionHead += 1
        }
        if tagDeletionHead > 64 && tagDeletionHead * 2 > tagDeletions.count {
            tagDeletions.removeFirst(tagDeletionHead)
            tagDeletionHead = 0
        }
        if networkTime >= nextSweep {
            sweepExpiringTables()
            nextSweep = networkTime + configuration.tableExpireInterval
        }
    }

    /// One pass of the reference's incremental table expiry (all entries at once here:
    /// its per-pass step limit of 5000 entries never matters at these table sizes).
    func sweepExpiringTables() {
        let now = networkTime
        let ignoreExpiry = configuration.weirdIgnoreExpiry
        expireEntries(&weirdIgnore, now: now, lifetime: ignoreExpiry, bound: &expiryBounds.weirdIgnore) {
            $0.created + ignoreExpiry
        }
        if weirdIgnorePairs.count > 2 * weirdIgnore.count + 64 {
            var pairs = WordSet()
            for entry in weirdIgnore.values {
                if let pair = entry.connectionPair { _ = pairs.insert(pair) }
            }
            weirdIgnorePairs = pairs
        }
        let memory = configuration.weirdNoticeMemoryExpiry
        expireEntries(&didNoticeConnection, now: now, lifetime: memory, bound: &expiryBounds.didNoticeConnection) {
            $0 + memory
        }
        expireEntries(&didNoticeOriginator, now: now, lifetime: memory, bound: &expiryBounds.didNoticeOriginator) {
            $0 + memory
        }
        expireEntries(&didWeirdLog, now: now, lifetime: memory, bound: &expiryBounds.didWeirdLog) { $0 + memory }
        sweepScanTables()
    }

    // MARK: connection records

    /// `append_addl_marker(c, text, separator)` (`Annotation.append`) in one allocation.
    func annotate(_ text: String, _ addl: inout String, separator: String = " ") {
        Annotation.append(text, to: &addl, separator: separator, joiningIn: annotationScratch)
    }

    /// Runs `body` on the connection's script record; synthetic compressor records are
    /// fresh each time and dropped afterwards.
    func withRecord<R>(_ connection: PolicyConnection, _ body: (inout ConnectionRecord) -> R) -> R {
        if connection.isCompressorPending {
            var record = ConnectionRecord.compressorPending
            return body(&record)
        }
        return body(&connections[connection.id, default: ConnectionRecord()])
    }
}

/// The mutable part of the reference's `connection` record that scripts write.
struct ConnectionRecord {
    var addl = ""
    /// `c$service` in insertion order; the conn.log pick uses hash order (`ScriptTableOrder`).
    var services: [String] = []
    var hot = 0
    /// conn.bro `hot_conns_reported[c$id]`.
    var hotReported: Set<String> = []
    /// `"ftp-data" in c$service`, kept as services are added.
    var hasFTPData = false

    static let compressorPending = ConnectionRecord(addl: "cc=1")

    mutating func addService(_ name: String) {
        if !services.contains(name) {
            services.append(name)
            if name == "ftp-data" { hasFTPData = true }
        }
    }
}

struct ServerPort: Hashable {
    var server: IPv4Address
    var port: PortValue

    var word: UInt64 { UInt64(server.value) << 32 | UInt64(port.number) << 8 | UInt64(port.proto.rawValue) }

    /// One word per key instead of three hashed fields.
    func hash(into hasher: inout Hasher) {
        hasher.combine(word)
    }

    func _rawHashValue(seed: Int) -> Int { WordHash.hash(word, seed: seed) }
}

struct WeirdIgnoreEntry {
    var created: Double
    var names: Set<String>
    /// `addressPairWord` of the connection whose id string is the key (nil: a flow id).
    var connectionPair: UInt64?
}

/// Originator and responder address in one word: an id string `O/o > R/r` determines
/// both addresses, so entries keyed by it can be gated by this word.
func addressPairWord(_ id: ConnectionID) -> UInt64 {
    UInt64(id.originator.value) << 32 | UInt64(id.responder.value)
}

struct ConnectionNameKey: Hashable {
    var id: ConnectionID
    var name: String
}
