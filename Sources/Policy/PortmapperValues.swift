import PacketDecoding

/// A transport port as the reference's script layer sees it: number plus protocol.
/// Prints as `111/udp` (`%s`); `number` alone is the `%d` form.
public struct PortValue: Hashable, Sendable, CustomStringConvertible {
    public var number: UInt16
    public var proto: TransportProtocol

    @inlinable public init(_ number: UInt16, _ proto: TransportProtocol) {
        self.number = number
        self.proto = proto
    }

    public var description: String { "\(number)/\(proto)" }

    /// Number and protocol in one word (scan and hot tables hash ports per event).
    public func _rawHashValue(seed: Int) -> Int {
        WordHash.hash(UInt64(number) << 8 | UInt64(proto.rawValue), seed: seed)
    }

    /// The reference orders ports of different protocols by a protocol offset
    /// (tcp < udp < icmp), then by number; used by the scan detector's `< 1024/tcp`.
    var scriptOrderKey: UInt32 {
        let protoRank: UInt32
        switch proto {
        case .tcp: protoRank = 1
        case .udp: protoRank = 2
        case .icmp: protoRank = 3
        }
        return protoRank << 16 | UInt32(number)
    }
}

/// The reference's `rpc_status` enum. UDP replies can carry accept_stat values
/// beyond the enum (passed through raw), hence a struct over the raw value.
public struct RPCStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let success = RPCStatus(rawValue: 0)
    public static let progUnavail = RPCStatus(rawValue: 1)
    public static let progMismatch = RPCStatus(rawValue: 2)
    public static let procUnavail = RPCStatus(rawValue: 3)
    public static let garbageArgs = RPCStatus(rawValue: 4)
    public static let systemErr = RPCStatus(rawValue: 5)
    public static let timeout = RPCStatus(rawValue: 6)
    public static let versMismatch = RPCStatus(rawValue: 7)
    public static let authError = RPCStatus(rawValue: 8)
    public static let unknownError = RPCStatus(rawValue: 9)

    static let enumNames = [
        "RPC_SUCCESS", "RPC_PROG_UNAVAIL", "RPC_PROG_MISMATCH", "RPC_PROC_UNAVAIL",
        "RPC_GARBAGE_ARGS", "RPC_SYSTEM_ERR", "RPC_TIMEOUT", "RPC_VERS_MISMATCH",
        "RPC_AUTH_ERROR", "RPC_UNKNOWN_ERROR",
    ]

    /// The enum name as events.txt prints it (`RPC_TIMEOUT`); raw number when out of range.
    public var description: String {
        rawValue < RPCStatus.enumNames.count ? RPCStatus.enumNames[Int(rawValue)] : "\(rawValue)"
    }

    /// Parses an events.txt status name (`RPC_AUTH_ERROR`) or a bare number.
    public init?(name: String) {
        if let index = RPCStatus.enumNames.firstIndex(of: name) {
            self.init(rawValue: UInt32(index))
        } else if let raw = UInt32(name) {
            self.init(rawValue: raw)
        } else {
            return nil
        }
    }
}

/// `pm_mapping`: program, version and the port (with its protocol).
public struct PortmapMapping: Hashable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var port: PortValue

    public init(program: UInt32, version: UInt32, port: PortValue) {
        self.program = program
        self.version = version
        self.port = port
    }
}

/// `pm_port_request`: the GETPORT arguments.
public struct PortRequest: Hashable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var isTCP: Bool

    public init(program: UInt32, version: UInt32, isTCP: Bool) {
        self.program = program
        self.version = version
        self.isTCP = isTCP
    }
}

/// `pm_callit_request`: the CALLIT arguments (`argSize` is the declared opaque length).
public struct CallitRequest: Hashable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var procedure: UInt32
    public var argSize: UInt32

    public init(program: UInt32, version: UInt32, procedure: UInt32, argSize: UInt32) {
        self.program = program
        self.version = version
        self.procedure = procedure
        self.argSize = argSize
    }
}

/// Portmapper procedure names as the policy uses them for `r$service` and notices.
public enum PortmapperProcedure: UInt8, Hashable, Sendable, CaseIterable {
    case null, set, unset, getport, dump, callit

    /// `pm_null`, `pm_set`, ... (service-set element and notice text).
    public var scriptName: String {
        switch self {
        case .null: return "pm_null"
        case .set: return "pm_set"
        case .unset: return "pm_unset"
        case .getport: return "pm_getport"
        case .dump: return "pm_dump"
        case .callit: return "pm_callit"
        }
    }
}

/// The portmapper events the RPC stage raises (SEMANTICS-RPC §2, §6).
/// `rpc_call` carries nothing the policy scripts use, so it is not part of this enum;
/// an adapter simply drops it.
public enum PortmapperEvent: Hashable, Sendable {
    case requestNull
    case requestSet(PortmapMapping, success: Bool)
    case requestUnset(PortmapMapping, success: Bool)
    case requestGetport(PortRequest, port: PortValue)
    /// Entries in table-index order (index 1 first).
    case requestDump([PortmapMapping])
    case requestCallit(CallitRequest, port: PortValue)
    case attemptNull(RPCStatus)
    case attemptSet(RPCStatus, PortmapMapping)
    case attemptUnset(RPCStatus, PortmapMapping)
    case attemptGetport(RPCStatus, PortRequest)
    case attemptDump(RPCStatus)
    case attemptCallit(RPCStatus, CallitRequest)
    /// `pm_bad_port(r, bad_p)`: a port word ≥ 65536 on the TCP path.
    case badPort(UInt32)
}
