import SunRPC

/// Portmapper events (SEMANTICS-RPC §2, §6).
@frozen
public enum PortmapEvent: Hashable, Sendable {
    case requestNull
    case requestSet(PortmapMapping, success: Bool)
    case requestUnset(PortmapMapping, success: Bool)
    /// Reply port with the request's protocol.
    case requestGetport(PortmapPortRequest, port: PortmapPort)
    case requestDump(PortmapMappingList)
    /// Reply port, always UDP.
    case requestCallit(PortmapCallitRequest, port: PortmapPort)
    case attemptNull(RPCStatus)
    case attemptSet(RPCStatus, PortmapMapping)
    case attemptUnset(RPCStatus, PortmapMapping)
    case attemptGetport(RPCStatus, PortmapPortRequest)
    case attemptDump(RPCStatus)
    case attemptCallit(RPCStatus, PortmapCallitRequest)
    /// `pm_bad_port`: TCP port word ≥ 65536 (the port becomes 0).
    case badPort(UInt32)
    /// UDP port word ≥ 65536: no event in the reference, only the stderr
    /// warning `internal warning: bad port number`; the port becomes 0.
    /// Not an events.txt line.
    case badPortNumberWarning(UInt32)
}

/// The portmapper analyzers and events, ready to use.
public typealias PortmapUDPAnalyzer = RPCUDPAnalyzer<Portmap>
public typealias PortmapTCPAnalyzer = RPCTCPAnalyzer<Portmap>
public typealias PortmapEventBuffer = RPCEventBuffer<PortmapEvent>
public typealias PortmapRPCEvent = RPCEvent<PortmapEvent>
