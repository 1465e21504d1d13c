import PacketDecoding
import Portmapper
import SunRPC

// Adapter from the RPC stage's events (SunRPC / Portmapper) to policy inputs.
extension PolicyInput {
    /// The policy input for one RPC-stage event, or nil for events no loaded script
    /// handles (`rpc_call`, the UDP `bad port number` stderr warning).
    /// - Parameters:
    ///   - event: an event from a `PortmapEventBuffer`, in dispatch order.
    ///   - payload: that buffer's `payloadWords` (DUMP lists live there).
    ///   - connection: the connection record as of the event (id = `event.connection`).
    public static func from(_ event: PortmapRPCEvent, payload: [UInt32], connection: PolicyConnection) -> PolicyInput? {
        switch event.kind {
        case .rpcCall:
            return nil
        case .weird(let weird):
            return .weird(time: event.time, event: WeirdEvent(
                name: weird.name, addl: weird.addl ?? "", scope: .connection(connection)))
        case .program(let program):
            guard let converted = PortmapperEvent(program, payload: payload) else { return nil }
            return .portmapper(time: event.time, connection: connection, event: converted)
        }
    }
}

extension PortmapperEvent {
    /// Converts a Portmapper-stage event; nil for `badPortNumberWarning` (stderr only).
    public init?(_ event: PortmapEvent, payload: [UInt32]) {
        switch event {
        case .requestNull: self = .requestNull
        case .requestSet(let m, let success): self = .requestSet(PortmapMapping(m), success: success)
        case .requestUnset(let m, let success): self = .requestUnset(PortmapMapping(m), success: success)
        case .requestGetport(let request, let port): self = .requestGetport(PortRequest(request), port: PortValue(port))
        case .requestDump(let list):
            var mappings: [PortmapMapping] = []
            mappings.reserveCapacity(list.count)
            for index in 0..<list.count {
                if let entry = list.entry(index, in: payload) { mappings.append(PortmapMapping(entry)) }
            }
            self = .requestDump(mappings)
        case .requestCallit(let call, let port): self = .requestCallit(CallitRequest(call), port: PortValue(port))
        case .attemptNull(let status): self = .attemptNull(RPCStatus(status))
        case .attemptSet(let status, let m): self = .attemptSet(RPCStatus(status), PortmapMapping(m))
        case .attemptUnset(let status, let m): self = .attemptUnset(RPCStatus(status), PortmapMapping(m))
        case .attemptGetport(let status, let request): self = .attemptGetport(RPCStatus(status), PortRequest(request))
        case .attemptDump(let status): self = .attemptDump(RPCStatus(status))
        case .attemptCallit(let status, let call): self = .attemptCallit(RPCStatus(status), CallitRequest(call))
        case .badPort(let value): self = .badPort(value)
        case .badPortNumberWarning: return nil
        }
    }
}

extension PortValue {
    /// Ports ≥ 65536 never reach events (the RPC stage zeroes them); clamp defensively.
    init(_ port: PortmapPort) {
        self.init(port.number <= UInt32(UInt16.max) ? UInt16(port.number) : 0, port.isTCP ? .tcp : .udp)
    }
}

extension PortmapMapping {
    init(_ m: Portmapper.PortmapMapping) {
        self.init(program: m.program, version: m.version, port: PortValue(m.port))
    }
}

extension PortRequest {
    init(_ r: PortmapPortRequest) {
        self.init(program: r.program, version: r.version, isTCP: r.isTCP)
    }
}

extension CallitRequest {
    init(_ c: PortmapCallitRequest) {
        self.init(program: c.program, version: c.version, procedure: c.procedure, argSize: c.argumentSize)
    }
}

extension RPCStatus {
    init(_ status: SunRPC.RPCStatus) {
        self.init(rawValue: status.rawValue)
    }
}
