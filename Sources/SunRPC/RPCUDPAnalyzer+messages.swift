/// The two message paths of the UDP analyzer: parse the whole message with
/// binpac rules (throwing at the first shortfall), then process it.
extension RPCUDPAnalyzer {
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
        events.noteCallHeader(prefix, isOrig: isOrig, stamp: stamp)
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
        events.noteReplyHeader(xid: xid, pairedWith: call, isOrig: isOrig, stamp: stamp)
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
