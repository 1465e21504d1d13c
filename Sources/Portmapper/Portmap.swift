import SunRPC

/// The portmapper program (100000), plugged into the generic RPC paths.
///
/// Every program version is decoded with the v2 layout, so rpcbind v3/v4
/// messages are misread exactly as the reference misreads them (§2.7).
public enum Portmap: RPCProgram {
    public typealias CallArguments = PortmapCallArguments
    public typealias Event = PortmapEvent

    /// Program number 100000.
    public static let program: UInt32 = 100_000

    // MARK: UDP

    @inlinable
    public static func decodesUDPCalls(toProgram program: UInt32) -> Bool { program == Self.program }

    @inlinable
    public static func parseUDPCallArguments(procedure: UInt32, cursor: inout XDRCursor)
        throws(BinpacException) -> PortmapCallArguments {
        switch procedure {
        case 0, 4:
            return .none
        case 1, 2:
            let words = try readMappingWords(&cursor)
            // The wire port is kept until the value is built (step 2).
            return .mapping(PortmapMapping(program: words.0, version: words.1,
                                           port: PortmapPort(number: words.3, isTCP: PortmapPort.isTCP(protocolNumber: words.2))))
        case 3:
            let words = try readMappingWords(&cursor)
            return .portRequest(PortmapPortRequest(program: words.0, version: words.1,
                                                   isTCP: PortmapPort.isTCP(protocolNumber: words.2)))
        case 5:
            try cursor.binpacRequire("PortmapCallItParams:proc", 12)
            let program = cursor.readUInt32() ?? 0
            let version = cursor.readUInt32() ?? 0
            let procedure = cursor.readUInt32() ?? 0
            let declared = try cursor.binpacOpaque()
            return .callit(PortmapCallitRequest(program: program, version: version, procedure: procedure,
                                                argumentSize: declared))
        default:
            throw .invalidCase(type: "PortmapParams", value: procedure)
        }
    }

    @inlinable
    public static func buildUDPCallArguments(_ arguments: inout PortmapCallArguments, stamp: RPCEventStamp,
                                             events: inout RPCEventBuffer<PortmapEvent>) {
        if case .mapping(var mapping) = arguments {
            mapping.port.number = udpPortNumber(mapping.port.number, stamp: stamp, events: &events)
            arguments = .mapping(mapping)
        }
    }

    @inlinable
    public static func parseUDPSuccessResults(procedure: UInt32, arguments: PortmapCallArguments,
                                              cursor: inout XDRCursor, stamp: RPCEventStamp,
                                              events: inout RPCEventBuffer<PortmapEvent>) throws(BinpacException) {
        switch (procedure, arguments) {
        case (0, _):
            events.append(.program(.requestNull), at: stamp)
        case (1, .mapping(let mapping)):
            try cursor.binpacRequire("PortmapResults:set", 4)
            let result = cursor.readUInt32() ?? 0
            events.append(.program(.requestSet(mapping, success: result != 0)), at: stamp)
        case (2, .mapping(let mapping)):
            try cursor.binpacRequire("PortmapResults:unset", 4)
            let result = cursor.readUInt32() ?? 0
            events.append(.program(.requestUnset(mapping, success: result != 0)), at: stamp)
        case (3, .portRequest(let request)):
            try cursor.binpacRequire("PortmapResults:getport", 4)
            let wire = cursor.readUInt32() ?? 0
            let port = PortmapPort(number: udpPortNumber(wire, stamp: stamp, events: &events), isTCP: request.isTCP)
            events.append(.program(.requestGetport(request, port: port)), at: stamp)
        case (4, _):
            let list = try parseUDPDump(&cursor, payload: &events.payloadWords)
            // Built after the whole list parsed: port warnings, then the event.
            var index = 0
            while index < list.count {
                let slot = list.firstWord + index * PortmapMappingList.wordsPerEntry + 2
                events.payloadWords[slot] = udpPortNumber(events.payloadWords[slot], stamp: stamp, events: &events)
                index += 1
            }
            events.append(.program(.requestDump(list)), at: stamp)
        case (5, .callit(let request)):
            try cursor.binpacRequire("PortmapCallItResults:port", 4)
            let wire = cursor.readUInt32() ?? 0
            try cursor.binpacOpaque()
            let port = PortmapPort(number: udpPortNumber(wire, stamp: stamp, events: &events), isTCP: false)
            events.append(.program(.requestCallit(request, port: port)), at: stamp)
        default:
            // Arguments always match their procedure (both come from the call).
            break
        }
    }

    @inlinable
    public static func failureEvent(procedure: UInt32, arguments: PortmapCallArguments,
                                    status: RPCStatus) -> PortmapEvent? {
        switch (procedure, arguments) {
        case (0, _): return .attemptNull(status)
        case (1, .mapping(let mapping)): return .attemptSet(status, mapping)
        case (2, .mapping(let mapping)): return .attemptUnset(status, mapping)
        case (3, .portRequest(let request)): return .attemptGetport(status, request)
        case (4, _): return .attemptDump(status)
        case (5, .callit(let request)): return .attemptCallit(status, request)
        default: return nil
        }
    }

    // MARK: UDP helpers

    /// A 16-byte `PortmapMapping` (prog, vers, prot, port) or the binpac exception.
    @inlinable
    static func readMappingWords(_ cursor: inout XDRCursor) throws(BinpacException) -> (UInt32, UInt32, UInt32, UInt32) {
        try cursor.binpacRequire("PortmapMapping", 16)
        return (cursor.readUInt32() ?? 0, cursor.readUInt32() ?? 0, cursor.readUInt32() ?? 0, cursor.readUInt32() ?? 0)
    }

    /// binpac `PortmapDumpResults`: entries (cont word, mapping if cont ≠ 0)
    /// until the end of the data or the first entry whose cont ≠ 1; only
    /// entries with cont = 1 are listed (by position). Ports are stored raw.
    @inlinable
    static func parseUDPDump(_ cursor: inout XDRCursor, payload: inout [UInt32]) throws(BinpacException) -> PortmapMappingList {
        let first = payload.count
        var count = 0
        while cursor.remaining > 0 {
            try cursor.binpacRequire("PortmapDumpEntry:cont", 4)
            let more = cursor.readUInt32() ?? 0
            if more != 0 {
                let words = try readMappingWords(&cursor)
                if more == 1 {
                    PortmapMappingList.append(
                        PortmapMapping(program: words.0, version: words.1,
                                       port: PortmapPort(number: words.3, isTCP: PortmapPort.isTCP(protocolNumber: words.2))),
                        to: &payload)
                    count += 1
                }
            }
            if more != 1 { break }
        }
        return PortmapMappingList(firstWord: first, count: count)
    }

    /// The reference's generic port constructor: a number ≥ 65536 prints
    /// `internal warning: bad port number` and becomes 0.
    @inlinable
    static func udpPortNumber(_ wire: UInt32, stamp: RPCEventStamp, events: inout RPCEventBuffer<PortmapEvent>) -> UInt32 {
        if wire >= 65_536 {
            events.append(.program(.badPortNumberWarning(wire)), at: stamp)
            return 0
        }
        return wire
    }
}
