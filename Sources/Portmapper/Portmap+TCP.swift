import SunRPC

/// TCP decoding (the reference's hand-written portmapper interpreter):
/// sequential word reads where a missing word fails the decode, ports
/// ≥ 65536 raise `pm_bad_port` and become 0, opaques are limited to 8192 bytes.
extension Portmap {
    /// Longest CALLIT argument/result opaque accepted over TCP.
    public static let maximumOpaqueLength = 8192

    @inlinable
    public static func decodeTCPCallArguments(program: UInt32, procedure: UInt32, cursor: inout XDRCursor,
                                              stamp: RPCEventStamp, events: inout RPCEventBuffer<PortmapEvent>,
                                              statistics: inout RPCStatistics) -> PortmapCallArguments? {
        if program != Self.program {
            // Still decoded as portmap.
            events.append(.weird(.badRPCProgram), at: stamp)
        }
        switch procedure {
        case 0, 4:
            return PortmapCallArguments.none
        case 1, 2:
            guard let mapping = extractMapping(&cursor, stamp: stamp, events: &events) else { return nil }
            return .mapping(mapping)
        case 3:
            guard let program = cursor.readUInt32(), let version = cursor.readUInt32(),
                  let protocolNumber = cursor.readUInt32(), cursor.readUInt32() != nil else { return nil }
            return .portRequest(PortmapPortRequest(program: program, version: version,
                                                   isTCP: PortmapPort.isTCP(protocolNumber: protocolNumber)))
        case 5:
            guard let program = cursor.readUInt32(), let version = cursor.readUInt32(),
                  let procedure = cursor.readUInt32(),
                  let size = extractOpaque(&cursor, statistics: &statistics) else { return nil }
            return .callit(PortmapCallitRequest(program: program, version: version, procedure: procedure,
                                                argumentSize: size))
        default:
            return nil
        }
    }

    @inlinable
    public static func decodeTCPReply(procedure: UInt32, arguments: PortmapCallArguments, status: RPCStatus,
                                      cursor: inout XDRCursor, stamp: RPCEventStamp,
                                      events: inout RPCEventBuffer<PortmapEvent>,
                                      statistics: inout RPCStatistics) -> Bool {
        guard status.isSuccess else {
            // Failures read nothing more.
            guard let event = failureEvent(procedure: procedure, arguments: arguments, status: status) else { return false }
            events.append(.program(event), at: stamp)
            return true
        }
        switch (procedure, arguments) {
        case (0, _):
            events.append(.program(.requestNull), at: stamp)
        case (1, .mapping(let mapping)):
            guard let result = cursor.readUInt32() else { return false }
            events.append(.program(.requestSet(mapping, success: result != 0)), at: stamp)
        case (2, .mapping(let mapping)):
            guard let result = cursor.readUInt32() else { return false }
            events.append(.program(.requestUnset(mapping, success: result != 0)), at: stamp)
        case (3, .portRequest(let request)):
            guard let wire = cursor.readUInt32() else { return false }
            let port = PortmapPort(number: checkedPort(wire, stamp: stamp, events: &events), isTCP: request.isTCP)
            events.append(.program(.requestGetport(request, port: port)), at: stamp)
        case (4, _):
            let first = events.payloadWords.count
            var count = 0
            while true {
                guard let more = cursor.readUInt32() else {
                    // Ran out before the terminating 0: the whole reply fails.
                    events.truncatePayload(to: first)
                    return false
                }
                if more == 0 { break }
                guard let mapping = extractMapping(&cursor, stamp: stamp, events: &events) else {
                    events.truncatePayload(to: first)
                    return false
                }
                PortmapMappingList.append(mapping, to: &events.payloadWords)
                count += 1
            }
            events.append(.program(.requestDump(PortmapMappingList(firstWord: first, count: count))), at: stamp)
        case (5, .callit(let request)):
            // The port is checked only once the results opaque decoded.
            guard let wire = cursor.readUInt32(),
                  extractOpaque(&cursor, statistics: &statistics) != nil else { return false }
            let port = PortmapPort(number: checkedPort(wire, stamp: stamp, events: &events), isTCP: false)
            events.append(.program(.requestCallit(request, port: port)), at: stamp)
        default:
            return false
        }
        return true
    }

    // MARK: TCP helpers

    /// prog, vers, prot, port read one after another; the port check runs only
    /// when the port word was read (so `pm_bad_port` can precede a failure).
    @inlinable
    static func extractMapping(_ cursor: inout XDRCursor, stamp: RPCEventStamp,
                               events: inout RPCEventBuffer<PortmapEvent>) -> PortmapMapping? {
        guard let program = cursor.readUInt32(), let version = cursor.readUInt32(),
              let protocolNumber = cursor.readUInt32(), let wire = cursor.readUInt32() else { return nil }
        return PortmapMapping(program: program, version: version,
                              port: PortmapPort(number: checkedPort(wire, stamp: stamp, events: &events),
                                                isTCP: PortmapPort.isTCP(protocolNumber: protocolNumber)))
    }

    /// A CALLIT opaque (≤ 8192 bytes, must fit). - Returns: its length, or `nil`.
    @inlinable
    static func extractOpaque(_ cursor: inout XDRCursor, statistics: inout RPCStatistics) -> UInt32? {
        switch cursor.extractOpaque(maximumLength: maximumOpaqueLength) {
        case .failed:
            return nil
        case .complete(let length):
            return length
        case .paddingOverrun(let length):
            // The reference aborts here (negative remaining count); we accept
            // the opaque and count the overrun (documented choice).
            statistics.paddingOverruns &+= 1
            return length
        }
    }

    /// Port ≥ 65536 → `pm_bad_port` event and 0.
    @inlinable
    static func checkedPort(_ wire: UInt32, stamp: RPCEventStamp, events: inout RPCEventBuffer<PortmapEvent>) -> UInt32 {
        if wire >= 65_536 {
            events.append(.program(.badPort(wire)), at: stamp)
            return 0
        }
        return wire
    }
}
