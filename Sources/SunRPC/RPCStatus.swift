/// The reference's `rpc_status` enum value (numeric value = position).
///
/// Kept as the raw number because the UDP path passes accept_stat through
/// unchanged (SEMANTICS-RPC §1.4): 6 then reads as RPC_TIMEOUT and values ≥ 10
/// are outside the enum.
@frozen
public struct RPCStatus: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let success = RPCStatus(rawValue: 0)
    public static let programUnavailable = RPCStatus(rawValue: 1)
    public static let programMismatch = RPCStatus(rawValue: 2)
    public static let procedureUnavailable = RPCStatus(rawValue: 3)
    public static let garbageArguments = RPCStatus(rawValue: 4)
    public static let systemError = RPCStatus(rawValue: 5)
    public static let timeout = RPCStatus(rawValue: 6)
    public static let versionMismatch = RPCStatus(rawValue: 7)
    public static let authError = RPCStatus(rawValue: 8)
    public static let unknownError = RPCStatus(rawValue: 9)

    @inlinable public var isSuccess: Bool { rawValue == 0 }

    /// The enum constant name as the reference prints it (`RPC_TIMEOUT`), or
    /// `<undefined>` for values outside the enum (how the reference renders an
    /// enum value without a name).
    public var enumName: String {
        switch rawValue {
        case 0: return "RPC_SUCCESS"
        case 1: return "RPC_PROG_UNAVAIL"
        case 2: return "RPC_PROG_MISMATCH"
        case 3: return "RPC_PROC_UNAVAIL"
        case 4: return "RPC_GARBAGE_ARGS"
        case 5: return "RPC_SYSTEM_ERR"
        case 6: return "RPC_TIMEOUT"
        case 7: return "RPC_VERS_MISMATCH"
        case 8: return "RPC_AUTH_ERROR"
        case 9: return "RPC_UNKNOWN_ERROR"
        default: return "<undefined>"
        }
    }
}
