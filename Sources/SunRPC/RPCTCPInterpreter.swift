/// The reference's hand-written RPC interpreter (SEMANTICS-RPC §1.3.2): one
/// call table shared by both directions, fed complete records.
public struct RPCTCPInterpreter<Program: RPCProgram>: Sendable {
    @usableFromInline var calls: RPCCallTable<Program.CallArguments>

    /// Pending calls by xid (read-only view). TCP calls never time out.
    @inlinable public var pendingCalls: RPCCallTable<Program.CallArguments> { calls }

    @inlinable
    public init(configuration: RPCConfiguration) {
        calls = RPCCallTable(capacity: configuration.maximumPendingCalls)
    }

    /// Interprets one record.
    /// - Returns: `false` when the record failed (the caller raises `partial_RPC`).
    @inlinable
    public mutating func interpret(_ record: UnsafeRawBufferPointer, isOrig: Bool, stamp: RPCEventStamp,
                                   events: inout RPCEventBuffer<Program.Event>,
                                   statistics: inout RPCStatistics) -> Bool {
        guard record.count >= 8 else { return false }
        let prefix = RPCFixedPrefix.parse(record)
        var cursor = XDRCursor(record, offset: 8)
        switch prefix.messageType {
        case 0:
            guard interpretCall(prefix: prefix, cursor: &cursor, isOrig: isOrig, stamp: stamp,
                                events: &events, statistics: &statistics) else { return false }
        case 1:
            guard interpretReply(xid: prefix.xid, cursor: &cursor, isOrig: isOrig, stamp: stamp,
                                 events: &events, statistics: &statistics) else { return false }
        default:
            events.append(.weird(.badRPC), at: stamp)
        }
        // All-zero padding is tolerated; anything else left over is excess.
        if cursor.unreadBytesContainNonZero {
            events.append(.weird(.excessRPC), at: stamp)
        }
        return true
    }

    @inlinable
    mutating func interpretCall(prefix: RPCFixedPrefix, cursor: inout XDRCursor, isOrig: Bool, stamp: RPCEventStamp,
                                events: inout RPCEventBuffer<Program.Event>,
                                statistics: inout RPCStatistics) -> Bool {
        let xid = prefix.xid
        if prefix.flags.contains(.hasCompleteCallHeader) {
            // A retransmission's own header words are reported, although its
            // arguments are decoded with the stored call's program/procedure.
            events.noteCallHeader(prefix, isOrig: isOrig, stamp: stamp)
        }
        if !isOrig {
            events.append(.weird(.responderRPCCall), at: stamp)
        }
        let body = cursor.unreadBytes
        let program: UInt32
        let procedure: UInt32
        if let pending = calls[xid] {
            // Retransmission: compare, then skip the stored header length and
            // decode the arguments again with the stored call's program/procedure.
            if RexmitFingerprint(body) != pending.fingerprint {
                events.append(.weird(.rexmitInconsistency), at: stamp)
            }
            guard cursor.skip(pending.headerLength) else {
                events.append(.weird(.underflow), at: stamp)
                return false
            }
            program = pending.program
            procedure = pending.procedure
        } else {
            guard prefix.flags.contains(.hasCompleteCallHeader) else { return false }
            cursor.offset = 24
            guard Self.skipOpaqueAuth(&cursor, statistics: &statistics),
                  Self.skipOpaqueAuth(&cursor, statistics: &statistics) else { return false }
            guard !calls.isFull else {
                // Our cap, not the reference's: the call is dropped whole.
                statistics.callsDroppedTableFull &+= 1
                events.append(.weird(.callTableFull), at: stamp)
                cursor.skipToEnd()
                return true
            }
            program = prefix.program
            procedure = prefix.procedure
            let call = PendingRPCCall<Program.CallArguments>(
                program: program, version: prefix.version, procedure: procedure, startTime: stamp.time,
                callLength: body.count, headerLength: cursor.offset - 8,
                fingerprint: RexmitFingerprint(body), arguments: nil)
            _ = calls.insert(call, xid: xid)
        }
        guard let arguments = Program.decodeTCPCallArguments(
            program: program, procedure: procedure, cursor: &cursor, stamp: stamp,
            events: &events, statistics: &statistics)
        else {
            // The call stays in the table (invalid if it was new).
            events.append(.weird(.badRPC), at: stamp)
            return false
        }
        calls[xid]?.arguments = arguments
        return true
    }

    @inlinable
    mutating func interpretReply(xid: UInt32, cursor: inout XDRCursor, isOrig: Bool, stamp: RPCEventStamp,
                                 events: inout RPCEventBuffer<Program.Event>,
                                 statistics: inout RPCStatistics) -> Bool {
        if events.recordsMessageHeaders {
            // The table does not change before the lookup below, so this is the call the reply pairs with.
            events.noteReplyHeader(xid: xid, pairedWith: calls[xid], isOrig: isOrig, stamp: stamp)
        }
        if isOrig {
            events.append(.weird(.originatorRPCReply), at: stamp)
        }
        guard let replyStat = cursor.readUInt32() else { return false }
        var status = RPCStatus.unknownError
        switch replyStat {
        case 0:
            guard Self.skipOpaqueAuth(&cursor, statistics: &statistics),
                  let acceptStat = cursor.readUInt32() else { return false }
            if acceptStat <= 5 { status = RPCStatus(rawValue: acceptStat) }
            if acceptStat == 2 {
                guard cursor.readUInt32() != nil, cursor.readUInt32() != nil else { return false }
            }
        case 1:
            guard let rejectStat = cursor.readUInt32() else { return false }
            switch rejectStat {
            case 0:
                status = .versionMismatch
                guard cursor.readUInt32() != nil, cursor.readUInt32() != nil else { return false }
            case 1:
                status = .authError
                guard cursor.readUInt32() != nil else { return false }
            default:
                events.append(.weird(.badRPC), at: stamp)
            }
        default:
            events.append(.weird(.badRPC), at: stamp)
        }

        guard let call = calls[xid] else {
            events.append(.weird(.unpairedResponse), at: stamp)
            cursor.skipToEnd()  // the rest of an unpaired reply is ignored
            return true
        }
        if let arguments = call.arguments {
            if !Program.decodeTCPReply(procedure: call.procedure, arguments: arguments, status: status,
                                       cursor: &cursor, stamp: stamp, events: &events, statistics: &statistics) {
                events.append(.weird(.badRPC), at: stamp)
            }
        } else if status.isSuccess {
            // Nothing to decode the reply with: its whole body stays unconsumed.
            events.append(.weird(.successfulReplyToInvalidRequest), at: stamp)
        }
        let record = RPCCallRecord(program: call.program, version: call.version, procedure: call.procedure,
                                   status: status, startTime: call.startTime, callLength: call.callLength,
                                   replyLength: cursor.remaining)
        events.append(.rpcCall(record), at: stamp)
        calls.remove(xid: xid)
        return true
    }

    /// Skips an opaque_auth (flavor + body of at most 400 bytes that must fit).
    @inlinable
    static func skipOpaqueAuth(_ cursor: inout XDRCursor, statistics: inout RPCStatistics) -> Bool {
        guard cursor.readUInt32() != nil else { return false }
        switch cursor.extractOpaque(maximumLength: RPCConfiguration.maximumAuthLength) {
        case .failed:
            return false
        case .complete:
            return true
        case .paddingOverrun:
            statistics.paddingOverruns &+= 1
            return true
        }
    }
}
