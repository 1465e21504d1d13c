import PacketDecoding

/// Per-connection state of the UDP message path (the reference's binpac
/// RPC_UDP_BINPAC analyzer on 111/udp, SEMANTICS-RPC §1.2).
///
/// Each datagram is one complete message. The whole message is parsed first;
/// a parse failure becomes the single weird `bad_RPC: binpac exception: ...`
/// and nothing else of that datagram happens. Only then does call or reply
/// processing run, in the reference's order.
///
/// The connection layer owns timers: it calls `connectionRemoved` when the
/// 24-s RPC expiry fires or input ends.
public struct RPCUDPAnalyzer<Program: RPCProgram>: Sendable {
    /// The connection every event is raised for.
    public let connection: ConnectionID
    /// Pending calls by xid.
    @usableFromInline var calls: RPCCallTable<Program.CallArguments>
    /// What this analyzer saw and dropped.
    @usableFromInline var counters: RPCStatistics

    /// Pending calls by xid (read-only view).
    @inlinable public var pendingCalls: RPCCallTable<Program.CallArguments> { calls }
    /// What this analyzer saw and dropped.
    @inlinable public var statistics: RPCStatistics { counters }

    /// - Parameters:
    ///   - connection: originator/responder as the connection layer decided them.
    ///   - configuration: limits (pending-call cap).
    @inlinable
    public init(connection: ConnectionID, configuration: RPCConfiguration = RPCConfiguration()) {
        self.connection = connection
        self.calls = RPCCallTable(capacity: configuration.maximumPendingCalls)
        self.counters = RPCStatistics()
    }

    /// Processes one UDP payload.
    /// - Parameters:
    ///   - payload: the datagram's payload (IP-derived length, completely captured).
    ///   - isOrig: whether the originator sent it.
    ///   - time: network time of the packet.
    ///   - events: receives the events in dispatch order.
    @inlinable
    public mutating func deliver(_ payload: UnsafeRawBufferPointer, isOrig: Bool, time: Double,
                                 into events: inout RPCEventBuffer<Program.Event>) {
        counters.messages &+= 1
        let stamp = RPCEventStamp(time: time, connection: connection)
        let eventMark = events.events.count
        let payloadMark = events.payloadWords.count
        do throws(BinpacException) {
            try process(payload, isOrig: isOrig, stamp: stamp, events: &events)
        } catch {
            // Processing starts only after the message parsed, so anything
            // appended belongs to a parse that did not finish: drop it.
            if events.events.count > eventMark { events.events.removeSubrange(eventMark...) }
            events.truncatePayload(to: payloadMark)
            events.append(.weird(.binpac(error)), at: stamp)
        }
    }

    /// The connection is being removed (RPC expiry or end of input): every
    /// pending call fails with RPC_TIMEOUT in ascending unsigned xid order,
    /// raising only the program's failure event (no `rpc_call`).
    /// - Parameters:
    ///   - time: network time of the packet (or last packet) that triggered removal.
    @inlinable
    public mutating func connectionRemoved(time: Double, into events: inout RPCEventBuffer<Program.Event>) {
        guard calls.count > 0 else { return }
        let stamp = RPCEventStamp(time: time, connection: connection)
        for xid in calls.xidsAscending {
            guard let call = calls[xid] else { continue }
            counters.timedOutCalls &+= 1
            if let arguments = call.arguments,
               let event = Program.failureEvent(procedure: call.procedure, arguments: arguments, status: .timeout) {
                events.append(.program(event), at: stamp)
            }
        }
        calls.removeAll()
    }

    // MARK: - Message paths

    @inlinable
    mutating func process(_ payload: UnsafeRawBufferPointer, isOrig: Bool, stamp: RPCEventStamp,
                          events: inout RPCEventBuffer<Program.Event>) throws(BinpacException) {
        guard payload.count >= 8 else {
            throw .outOfBound(field: "RPC_Message:msg_type", needed: 8, available: payload.count)
        }
        let prefix = RPCFixedPrefix.parse(payload)
        switch prefix.messageType {
        case 0:
            try processCall(payload, prefix: prefix, isOrig: isOrig, stamp: stamp, events: &events)
        case 1:
            try processReply(payload, prefix: prefix, isOrig: isOrig, stamp: stamp, events: &events)
        default:
            throw .invalidCase(type: "RPC_Message", value: prefix.messageType)
        }
    }

    @inlinable
    mutating func processCall(_ payload: UnsafeRawBufferPointer, prefix: RPCFixedPrefix, isOrig: Bool,
                              stamp: RPCEventStamp, events: inout RPCEventBuffer<Program.Event>) throws(BinpacException) {
        guard prefix.flags.contains(.hasCompleteCallHeader) else {
            throw .outOfBound(field: "RPC_Call:proc", needed: 16, available: payload.count - 8)
        }
        var cursor = XDRCursor(payload, offset: 24)
        try cursor.binpacOpaqueAuth()  // credential
        try cursor.binpacOpaqueAuth()  // verifier
        var arguments: Program.CallArguments? = nil
        if Program.decodesUDPCalls(toProgram: prefix.program) {
            arguments = try Program.parseUDPCallArguments(procedure: prefix.procedure, cursor: &cursor)
        }
        // Trailing bytes are ignored: UDP never reports excess data.

        // 1. Registration. A pending xid keeps its first transmission.
        let xid = prefix.xid
        let fingerprint = RexmitFingerprint(payload)
        var register = false
        if let pending = calls[xid] {
            if pending.fingerprint != fingerprint {
                events.append(.weird(.rexmitInconsistency), at: stamp)
            }
        } else if calls.isFull {
            counters.callsDroppedTableFull &+= 1
            events.append(.weird(.callTableFull), at: stamp)
        } else {
            register = true
        }
        // 2. The argument value is built even for an unregistered duplicate.
        if var built = arguments {
            Program.buildUDPCallArguments(&built, stamp: stamp, events: &events)
            arguments = built
        }
        if register {
            let call = PendingRPCCall(program: prefix.program, version: prefix.version, procedure: prefix.procedure,
                                      startTime: stamp.time, callLength: payload.count, headerLength: 0,
                                      fingerprint: fingerprint, arguments: arguments)
            _ = calls.insert(call, xid: xid)
        }
        // 3. Direction check last; the call stays registered.
        if !isOrig {
            events.append(.weird(.responderRPCCall), at: stamp)
        }
    }

    @inlinable
    mutating func processReply(_ payload: UnsafeRawBufferPointer, prefix: RPCFixedPrefix, isOrig: Bool,
                               stamp: RPCEventStamp, events: inout RPCEventBuffer<Program.Event>) throws(BinpacException) {
        let xid = prefix.xid
        let call = calls[xid]
        var cursor = XDRCursor(payload, offset: 8)
        let replyStat = try cursor.binpacWord("RPC_Reply:stat", structureStart: 8)
        let status: RPCStatus
        switch replyStat {
        case 0:
            let acceptStat: UInt32
            if prefix.flags.contains(.isAcceptedReplyWithEmptyVerifier) {
                // Empty verifier: flavor, zero length, accept_stat are words 3-5.
                acceptStat = prefix.acceptStatus
                cursor.offset = 24
            } else {
                let accepted = cursor.offset
                try cursor.binpacOpaqueAuth()
                acceptStat = try cursor.binpacWord("RPC_AcceptedReply:stat", structureStart: accepted)
            }
            status = RPCStatus(rawValue: acceptStat)
            switch acceptStat {
            case 0:
                if let call, let arguments = call.arguments {
                    try Program.parseUDPSuccessResults(procedure: call.procedure, arguments: arguments,
                                                       cursor: &cursor, stamp: stamp, events: &events)
                }
            case 2:
                try cursor.binpacRequire("RPC_MismatchInfo", 8)
            default:
                break
            }
        case 1:
            let rejected = cursor.offset
            let rejectStat = try cursor.binpacWord("RPC_RejectedReply:stat", structureStart: rejected)
            switch rejectStat {
            case 0:
                status = .versionMismatch
                try cursor.binpacRequire("RPC_MismatchInfo", 8)
            case 1:
                status = .authError
                _ = try cursor.binpacWord("RPC_RejectedReply:auth_stat", structureStart: rejected)
            default:
                throw .invalidCase(type: "RPC_RejectedReply", value: rejectStat)
            }
        default:
            throw .invalidCase(type: "RPC_Reply", value: replyStat)
        }

        // The reply parsed completely; process it (the success event, if any,
        // was appended by the program at the end of its results).
        if isOrig {
            events.append(.weird(.originatorRPCReply), at: stamp)
        }
        guard let call else {
            events.append(.weird(.unpairedResponse), at: stamp)
            return
        }
        let record = RPCCallRecord(program: call.program, version: call.version, procedure: call.procedure,
                                   status: status, startTime: call.startTime, callLength: call.callLength,
                                   replyLength: payload.count)
        events.append(.rpcCall(record), at: stamp)
        if !status.isSuccess, let arguments = call.arguments,
           let event = Program.failureEvent(procedure: call.procedure, arguments: arguments, status: status) {
            events.append(.program(event), at: stamp)
        }
        calls.remove(xid: xid)
    }
}
