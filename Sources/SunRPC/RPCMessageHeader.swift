import PacketDecoding

/// Program, version and procedure of a call.
@frozen
public struct RPCProcedureIdentity: Equatable, Hashable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var procedure: UInt32

    @inlinable
    public init(program: UInt32, version: UInt32, procedure: UInt32) {
        self.program = program
        self.version = version
        self.procedure = procedure
    }
}

/// One ONC RPC message header an analyzer parsed: the observation hook used by
/// differential tests (and any tool that wants a per-message trace).
///
/// Recorded only when ``RPCEventBuffer/recordsMessageHeaders`` is set, so a
/// normal run pays one predictable branch per message and stores nothing.
/// A header is recorded as soon as the analyzer has read it, whatever happens
/// to the rest of the message (a UDP call whose credential overruns the
/// datagram is still recorded; its `bad_RPC` weird says the rest).
///
/// What counts as a parsed header (both paths, UDP datagram or TCP record):
/// - CALL (msg_type 0) with all six header words (xid ... proc) present;
/// - REPLY (msg_type 1) with xid and msg_type present.
/// Other messages (shorter than that, or another msg_type) are not recorded.
@frozen
public struct RPCMessageHeader: Equatable, Sendable {
    /// Network time of the packet whose delivery completed the message (UDP:
    /// the datagram; TCP: the segment holding the record's last byte).
    public var time: Double
    /// The analyzer's connection (originator first).
    public var connection: ConnectionID
    /// Whether the originator sent the message.
    public var isOriginator: Bool
    public var xid: UInt32
    /// 0 = CALL, 1 = REPLY.
    public var messageType: UInt32
    /// CALL: the message's own program/version/procedure. REPLY: those of the
    /// pending call with the same xid when the reply was looked up (the call it
    /// is paired with), or `nil` when no call was pending (`unpaired_RPC_response`).
    public var procedure: RPCProcedureIdentity?

    @inlinable
    public init(time: Double, connection: ConnectionID, isOriginator: Bool, xid: UInt32, messageType: UInt32,
                procedure: RPCProcedureIdentity?) {
        self.time = time
        self.connection = connection
        self.isOriginator = isOriginator
        self.xid = xid
        self.messageType = messageType
        self.procedure = procedure
    }
}

extension RPCEventBuffer {
    /// Records a call header (only when recording is enabled).
    @inlinable
    mutating func noteCallHeader(_ prefix: RPCFixedPrefix, isOrig: Bool, stamp: RPCEventStamp) {
        guard recordsMessageHeaders else { return }
        messageHeaders.append(RPCMessageHeader(
            time: stamp.time, connection: stamp.connection, isOriginator: isOrig, xid: prefix.xid, messageType: 0,
            procedure: RPCProcedureIdentity(program: prefix.program, version: prefix.version,
                                            procedure: prefix.procedure)))
    }

    /// Records a reply header with the call it pairs with (only when recording is enabled).
    @inlinable
    mutating func noteReplyHeader<Arguments>(xid: UInt32, pairedWith call: PendingRPCCall<Arguments>?, isOrig: Bool,
                                             stamp: RPCEventStamp) {
        guard recordsMessageHeaders else { return }
        messageHeaders.append(RPCMessageHeader(
            time: stamp.time, connection: stamp.connection, isOriginator: isOrig, xid: xid, messageType: 1,
            procedure: call.map {
                RPCProcedureIdentity(program: $0.program, version: $0.version, procedure: $0.procedure)
            }))
    }
}
