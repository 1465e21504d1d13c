import PacketDecoding

/// Per-call state the connection code needs besides the connection itself:
/// the timer queue, the output sink, the clock and the configuration.
struct TrackerContext {
    var timers = TimerQueue()
    var out: ConnectionOutputBuffer
    /// The reference's `network_time`.
    var networkTime: Double = 0
    /// The reference's `current_timestamp`: the timestamp of the packet being
    /// processed (may be older than network time in an unordered trace).
    var packetTime: Double = 0
    let config: ConnectionConfiguration
    /// The payload being handed to a reassembler, while `DataSent` runs: blocks
    /// made from it are delivered as slices of the packet instead of copies.
    var currentPayload: UnsafeRawBufferPointer? = nil
    /// Bytes dropped by the awaiting-ACK memory guard (statistics).
    var awaitingAckBytesDropped: Int64 = 0

    /// Points the output at the caller's buffer. The engine passes the same one
    /// at every call: skipping the store saves a retain/release pair per call
    /// (two or three calls per packet).
    @inline(__always)
    mutating func use(_ buffer: ConnectionOutputBuffer) {
        if out !== buffer { out = buffer }
    }
}

/// TCP analyzer state (the reference's `TCP_Analyzer` fields).
struct TCPAnalyzer: Sendable {
    var orig = TCPEndpoint()
    var resp = TCPEndpoint()
    var isActive = true
    var isPartial = false
    /// Bit 1: a packet from the originator was accepted; bit 2: from the responder.
    var firstPacketSeen: UInt8 = 0
    var seenFirstACK = false
    var closeDeferred = false
    var deferredGenEvent = false
    /// Reassembly (and the application hook) is on: responder port 111/tcp.
    var reassembling = false
    /// Bumped by `CancelTimers`; analyzer timers from older epochs are dead.
    var timerEpoch: UInt32 = 0

    /// A plain getter, always inlined, so `tcp[isOrig].field` reduces to a select
    /// of that field. (A `_read` coroutine is not inlined here: it yielded a
    /// memcpy'd endpoint per access and made the TCP path 3x slower.) Callers
    /// read fields rather than binding a whole endpoint, which would copy it and
    /// retain its block list.
    subscript(isOrig: Bool) -> TCPEndpoint {
        @inline(__always) get { isOrig ? orig : resp }
        _modify {
            if isOrig { yield &orig } else { yield &resp }
        }
    }

    /// Reads one side's reassembler in place. `tcp[isOrig].reassembly...` goes
    /// through the endpoint getter, which copies the whole endpoint (retaining
    /// the reassembler's two arrays) whenever it cannot be reduced to one field:
    /// 240k copies in a 100k-packet RPC trace. Stored-property projections in
    /// each branch borrow instead.
    @inline(__always)
    func reading<R>(_ isOrig: Bool, _ body: (ReassemblyBuffer) -> R) -> R {
        isOrig ? body(orig.reassembly) : body(resp.reassembly)
    }

    @inlinable var bothClosed: Bool { orig.didClose && resp.didClose }
    @inlinable var isClosed: Bool { orig.didClose || resp.didClose }
}

/// One tracked connection (UDP or TCP) in the tracker's slot table.
struct Connection: Sendable {
    var isLive = false
    /// Bumped whenever the slot is freed, invalidating the old connection's timers.
    var incarnation: UInt32 = 0
    var slot: Int32 = 0
    var key = FlowKey(source: IPv4Address(0), sourcePort: 0, destination: IPv4Address(0), destinationPort: 0,
                      transport: .udp)
    var id = ConnectionID(originator: IPv4Address(0), originatorPort: 0,
                          responder: IPv4Address(0), responderPort: 0, proto: .udp)
    var startTime: Double = 0
    var lastTime: Double = 0
    /// The connection-level inactivity timeout (0 = none), as `SetInactivityTimeout` sets it.
    var inactivityTimeout: Double = 0
    /// The RPC analyzer is attached (responder port 111, UDP not flipped).
    var hasRPC = false
    /// Reference quirk for role-flipped UDP flows: the connection's originator
    /// was garbage, so every packet compared unequal to it and counted as
    /// responder traffic (SEMANTICS-CONN §2.2).
    var countsAllAsResponder = false
    /// A conn weird was raised on the connection (`DidWeird`).
    var didWeird = false

    /// UDP `request_len` / `reply_len`; -1 = no accepted packet from that side.
    var requestLength: Int64 = -1
    var replyLength: Int64 = -1

    var tcp = TCPAnalyzer()

    var connectionSlot: ConnectionSlot { ConnectionSlot(index: slot) }

    /// The record as the reference's `BuildConnVal` would build it now.
    func summary() -> ConnectionSummary {
        let o: EndpointSummary, r: EndpointSummary
        switch id.proto {
        case .tcp:
            o = EndpointSummary(size: tcp.orig.size, rawState: tcp.orig.state.rawValue)
            r = EndpointSummary(size: tcp.resp.size, rawState: tcp.resp.state.rawValue)
        default:
            o = requestLength < 0 ? EndpointSummary(size: 0, rawState: 0)
                : EndpointSummary(size: requestLength, rawState: 1)
            r = replyLength < 0 ? EndpointSummary(size: 0, rawState: 0)
                : EndpointSummary(size: replyLength, rawState: 1)
        }
        return ConnectionSummary(id: id, startTime: startTime, duration: lastTime - startTime,
                                 originator: o, responder: r)
    }

    /// Raises a conn weird on this connection.
    mutating func weird(_ name: StandardWeird, _ ctx: inout TrackerContext) {
        weird(.standard(name), &ctx)
    }

    mutating func weird(_ name: WeirdName, _ ctx: inout TrackerContext) {
        didWeird = true
        ctx.out.append(.weird(ConnectionWeird(
            name: name, scope: .connection(WeirdConnection(id, slot: connectionSlot)), time: ctx.networkTime)))
    }

    /// Raises a connection event carrying the current record. `mutating` although
    /// it changes nothing: called on `conns[i]`, a non-mutating call copied the
    /// whole connection first.
    mutating func event(_ kind: ConnectionEventKind, _ ctx: inout TrackerContext) {
        ctx.out.append(.event(ConnectionEventRecord(
            kind: kind, slot: connectionSlot, summary: summary(), time: ctx.networkTime)))
    }

    /// Schedules a connection-level timer (inactivity, RPC expiry).
    func addConnectionTimer(_ kind: TimerKind, at time: Double, _ ctx: inout TrackerContext) {
        let id = ctx.timers.add(kind, at: time, slot: slot, incarnation: incarnation, epoch: 0)
        ctx.note(.timerScheduled(id: id))
    }

    /// Schedules a TCP analyzer timer (dies with `cancelAnalyzerTimers`).
    func addAnalyzerTimer(_ kind: TimerKind, at time: Double, _ ctx: inout TrackerContext) {
        let id = ctx.timers.add(kind, at: time, slot: slot, incarnation: incarnation, epoch: tcp.timerEpoch)
        ctx.note(.timerScheduled(id: id))
    }

    /// `SetInactivityTimeout`: a new timer every call; the firing timer reads the current value.
    mutating func setInactivityTimeout(_ timeout: Double, _ ctx: inout TrackerContext) {
        if timeout != 0 { addConnectionTimer(.inactivity, at: lastTime + timeout, &ctx) }
        inactivityTimeout = timeout
    }
}
