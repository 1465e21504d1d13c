import PacketDecoding
@testable import Policy

/// Test-only reader for golden `events.txt` (SEMANTICS-RPC §6) and conn.log lines.
enum GoldenEventsParser {
    struct Event {
        var time: Double
        var input: PolicyInput?
        /// The event name (`pm_request_getport`, `conn_weird`, ...).
        var kind: String
    }

    static func parse(_ text: String) -> [Event] {
        text.split(separator: "\n").compactMap { parseLine(String($0)) }
    }

    static func parseLine(_ line: String) -> Event? {
        let parts = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 5, let time = Double(parts[0]) else { return nil }
        let kind = parts[1]
        let rest = parts.count > 5 ? parts[5] : ""
        if kind == "flow_weird" {
            guard let source = IPv4Address(parsing: parts[2]), let destination = IPv4Address(parsing: parts[4]) else { return nil }
            let name = value(after: "name=", in: rest) ?? ""
            return Event(time: time, input: .weird(time: time, event: WeirdEvent(
                name: name, scope: .flow(source: source, destination: destination))), kind: kind)
        }
        guard let id = connectionID(parts[2], parts[4]) else { return nil }
        let connection = PolicyConnection(id: id, originatorState: 1, responderState: 1)
        func pm(_ event: PortmapperEvent) -> Event {
            Event(time: time, input: .portmapper(time: time, connection: connection, event: event), kind: kind)
        }
        switch kind {
        case "rpc_call":
            return Event(time: time, input: nil, kind: kind)
        case "conn_weird":
            let name = String(rest.dropFirst("name=".count))
            return Event(time: time, input: .weird(time: time, event: WeirdEvent(name: name, scope: .connection(connection))), kind: kind)
        case "conn_weird_addl":
            guard let range = rest.range(of: " addl=") else { return nil }
            let name = String(rest[rest.index(rest.startIndex, offsetBy: 5)..<range.lowerBound])
            let addl = String(rest[range.upperBound...])
            return Event(time: time, input: .weird(time: time, event: WeirdEvent(
                name: name, addl: addl, scope: .connection(connection))), kind: kind)
        case "pm_bad_port":
            return pm(.badPort(UInt32(rest.dropFirst("bad_p=".count))!))
        case "pm_request_null":
            return pm(.requestNull)
        case "pm_request_set", "pm_request_unset":
            let m = mapping(rest)!
            let success = rest.hasSuffix("success=T")
            return pm(kind == "pm_request_set" ? .requestSet(m, success: success) : .requestUnset(m, success: success))
        case "pm_request_getport":
            return pm(.requestGetport(portRequest(rest)!, port: port(value(after: "] p=", in: rest)!)!))
        case "pm_request_dump":
            return pm(.requestDump(dumpEntries(rest)))
        case "pm_request_callit":
            return pm(.requestCallit(callit(rest)!, port: port(value(after: "] p=", in: rest)!)!))
        default:
            guard kind.hasPrefix("pm_attempt_"), let statusName = value(after: "status=", in: rest),
                  let status = RPCStatus(name: statusName) else { return nil }
            switch kind {
            case "pm_attempt_null": return pm(.attemptNull(status))
            case "pm_attempt_dump": return pm(.attemptDump(status))
            case "pm_attempt_set": return pm(.attemptSet(status, mapping(rest)!))
            case "pm_attempt_unset": return pm(.attemptUnset(status, mapping(rest)!))
            case "pm_attempt_getport": return pm(.attemptGetport(status, portRequest(rest)!))
            case "pm_attempt_callit": return pm(.attemptCallit(status, callit(rest)!))
            default: return nil
            }
        }
    }

    /// `127.0.0.1:45746/udp` + `127.0.0.1:111/udp`.
    static func connectionID(_ originator: String, _ responder: String) -> ConnectionID? {
        func endpoint(_ text: String) -> (IPv4Address, UInt16, TransportProtocol)? {
            let colon = text.split(separator: ":")
            guard colon.count == 2 else { return nil }
            let portParts = colon[1].split(separator: "/")
            guard portParts.count == 2, let address = IPv4Address(parsing: String(colon[0])),
                  let number = UInt16(portParts[0]) else { return nil }
            return (address, number, portParts[1] == "tcp" ? .tcp : .udp)
        }
        guard let o = endpoint(originator), let r = endpoint(responder) else { return nil }
        return ConnectionID(originator: o.0, originatorPort: o.1, responder: r.0, responderPort: r.1, proto: o.2)
    }

    /// Text after `marker` up to the next space, comma or bracket.
    static func value(after marker: String, in text: String) -> String? {
        guard let range = text.range(of: marker) else { return nil }
        let tail = text[range.upperBound...]
        let end = tail.firstIndex { $0 == " " || $0 == "," || $0 == "]" || $0 == "}" } ?? tail.endIndex
        return String(tail[..<end])
    }

    static func number(_ key: String, _ text: Substring) -> UInt32? {
        value(after: key + "=", in: String(text)).flatMap { UInt32($0) }
    }

    static func port(_ text: String) -> PortValue? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let number = UInt16(parts[0]) else { return nil }
        return PortValue(number, parts[1] == "tcp" ? .tcp : .udp)
    }

    static func mapping(_ text: String) -> PortmapMapping? {
        mapping(Substring(text))
    }

    static func mapping(_ text: Substring) -> PortmapMapping? {
        guard let program = number("program", text), let version = number("version", text),
              let p = value(after: "p=", in: String(text)).flatMap(port) else { return nil }
        return PortmapMapping(program: program, version: version, port: p)
    }

    static func portRequest(_ text: String) -> PortRequest? {
        guard let program = number("program", Substring(text)), let version = number("version", Substring(text)),
              let isTCP = value(after: "is_tcp=", in: text) else { return nil }
        return PortRequest(program: program, version: version, isTCP: isTCP == "T")
    }

    static func callit(_ text: String) -> CallitRequest? {
        let t = Substring(text)
        guard let program = number("program", t), let version = number("version", t),
              let procedure = number("proc", t), let size = number("arg_size", t) else { return nil }
        return CallitRequest(program: program, version: version, procedure: procedure, argSize: size)
    }

    /// `m={k entries: [1=[...], 2=[...]]}` in index order.
    static func dumpEntries(_ text: String) -> [PortmapMapping] {
        var entries: [PortmapMapping] = []
        var remaining = Substring(text)
        while let start = remaining.range(of: "=[program=") {
            let tail = remaining[start.lowerBound...]
            guard let end = tail.firstIndex(of: "]") else { break }
            if let m = mapping(tail[..<end]) { entries.append(m) }
            remaining = tail[tail.index(after: end)...]
        }
        return entries
    }

    /// A golden conn.log line: id, start, state and the expected service/addl.
    struct ConnLine {
        var id: ConnectionID
        var start: Double
        var duration: Double?
        var service: String
        var state: String
        var addl: String
        var line: String
    }

    static func connLines(_ text: String) -> [ConnLine] {
        text.split(separator: "\n").compactMap { raw in
            let fields = raw.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 12, let start = Double(fields[0]),
                  let orig = IPv4Address(parsing: fields[2]), let resp = IPv4Address(parsing: fields[3]),
                  let origPort = UInt16(fields[5]), let respPort = UInt16(fields[6]) else { return nil }
            let proto: TransportProtocol = fields[7] == "tcp" ? .tcp : .udp
            return ConnLine(
                id: ConnectionID(originator: orig, originatorPort: origPort, responder: resp, responderPort: respPort, proto: proto),
                start: start, duration: Double(fields[1]), service: fields[4], state: fields[10],
                addl: fields.count > 12 ? fields[12...].joined(separator: " ") : "", line: String(raw))
        }
    }
}
