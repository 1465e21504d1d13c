/// A connection weird raised by the RPC layer (SEMANTICS-RPC §1.7).
///
/// `name` and `addl` are what the reference passes to its weird handlers and
/// what events.txt prints (`conn_weird ... name=<name>` or
/// `conn_weird_addl ... name=<name> addl=<addl>`).
@frozen
public enum RPCWeird: Equatable, Sendable {
    /// UDP parse failure: `bad_RPC: binpac exception: ...`.
    case binpac(BinpacException)
    /// TCP: argument/reply decode failure, bad msg_type, bad reply_stat or reject_stat.
    case badRPC
    /// TCP: the interpreter failed on a complete record.
    case partialRPC
    /// TCP: non-zero bytes left after a processed record.
    case excessRPC
    /// TCP: accumulated record length above 65536 (record clamped).
    case excessiveRPCLength
    /// TCP: at connection end the originator's last byte did not end a record.
    case partialRPCRequest
    /// CALL sent by the responder.
    case responderRPCCall
    /// REPLY sent by the originator.
    case originatorRPCReply
    /// Same xid still pending, different bytes.
    case rexmitInconsistency
    /// TCP: retransmitted call shorter than the stored call header.
    case underflow
    /// REPLY with no pending call of that xid.
    case unpairedResponse
    /// TCP: success reply to a call whose arguments failed to decode.
    case successfulReplyToInvalidRequest
    /// TCP: call for a program other than 100000 on the portmapper port.
    case badRPCProgram
    /// Ours, not the reference's: the per-connection pending-call table is at
    /// its configured cap and a new call was not registered.
    case callTableFull
    /// `bad_pm_port` with addl `port <n>`: raised by the policy's `pm_bad_port`
    /// handler, i.e. after all analyzer events of the packet (see Portmapper).
    case badPortmapPort(UInt32)

    /// The weird name as the reference spells it.
    public var name: String {
        switch self {
        case .binpac(let exception): return "bad_RPC: " + exception.message
        case .badRPC: return "bad_RPC"
        case .partialRPC: return "partial_RPC"
        case .excessRPC: return "excess_RPC"
        case .excessiveRPCLength: return "excessive_RPC_len"
        case .partialRPCRequest: return "partial_RPC_request"
        case .responderRPCCall: return "responder_RPC_call"
        case .originatorRPCReply: return "originator_RPC_reply"
        case .rexmitInconsistency: return "RPC_rexmit_inconsistency"
        case .underflow: return "RPC_underflow"
        case .unpairedResponse: return "unpaired_RPC_response"
        case .successfulReplyToInvalidRequest: return "successful_RPC_reply_to_invalid_request"
        case .badRPCProgram: return "bad_RPC_program"
        case .callTableFull: return "RPC_call_table_full"
        case .badPortmapPort: return "bad_pm_port"
        }
    }

    /// Additional text (`conn_weird_addl`), or `nil` for a plain `conn_weird`.
    public var addl: String? {
        if case .badPortmapPort(let port) = self { return "port \(port)" }
        return nil
    }
}
