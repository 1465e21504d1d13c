import PacketDecoding

/// conn.log rendering (SEMANTICS-CONN §4.2–§4.4), byte for byte.
public enum ConnLog {
    /// The service column from the ports alone (§4.4 rules 3–4): used when the
    /// policy has neither a service-set element nor an `RPC_server_map` entry.
    public static func portService(for summary: ConnectionSummary) -> String {
        let id = summary.id
        let respName = PortNames.name(id.responderPort, id.proto)
        if summary.originator.rawState == 0, respName == nil,
           let origName = PortNames.name(id.originatorPort, id.proto) {
            return origName.description
        }
        return respName?.description ?? "other"
    }

    /// The connection state column (§4.3).
    public static func stateCode(for summary: ConnectionSummary) -> String {
        switch summary.id.proto {
        case .tcp:
            let os = summary.originator.tcpState, rs = summary.responder.tcpState
            if rs == .reset {
                if os == .synSent || os == .synAckSent
                    || (os == .reset && summary.originator.size == 0 && summary.responder.size == 0) {
                    return "REJ"
                }
                return os.isInactiveForLog ? "RSTRH" : "RSTR"
            }
            if os == .reset { return rs.isInactiveForLog ? "RSTOS0" : "RSTO" }
            if os == .closed && rs == .closed { return "SF" }
            if os == .closed { return rs.isInactiveForLog ? "SH" : "S2" }
            if rs == .closed { return os.isInactiveForLog ? "SHR" : "S3" }
            if os == .synSent && rs == .inactive { return "S0" }
            if os == .established && rs == .established { return "S1" }
            return "OTH"
        case .udp:
            let o = summary.originator.rawState == 1, r = summary.responder.rawState == 1
            if o { return r ? "SF" : "S0" }
            return r ? "SHR" : "OTH"
        case .icmp:
            return "OTH"
        }
    }

    /// A byte column: the size if positive (as the reference's unsigned count),
    /// `0`-or-more for a CLOSED TCP endpoint, else `?`.
    public static func bytesColumn(_ endpoint: EndpointSummary, _ proto: TransportProtocol) -> String {
        // The record's size is an unsigned count: a negative TCP size shows up as
        // a huge number, so "> 0" there means "!= 0" here.
        if endpoint.size != 0 {
            return String(UInt64(bitPattern: endpoint.size))
        }
        if proto == .tcp && endpoint.tcpState == .closed { return "0" }
        return "?"
    }

    /// The duration column: TCP prints it only when a side is CLOSED or RESET.
    public static func durationColumn(_ summary: ConnectionSummary) -> String {
        hasDuration(summary) ? fixed6(summary.duration) : "?"
    }

    static func hasDuration(_ summary: ConnectionSummary) -> Bool {
        guard summary.id.proto == .tcp else { return true }
        let os = summary.originator.tcpState, rs = summary.responder.tcpState
        return os == .closed || os == .reset || rs == .closed || rs == .reset
    }

    /// One conn.log line without the trailing newline.
    ///
    /// - Parameters:
    ///   - summary: the connection record at removal.
    ///   - service: the policy's service (rules 1–2 of §4.4); nil falls back to
    ///     `portService(for:)`.
    ///   - addl: the accumulated addl text; appended after a space when non-empty.
    /// - Returns: `start duration orig_h resp_h service orig_p resp_p proto
    ///   orig_bytes resp_bytes state flags[ addl]`.
    public static func line(_ summary: ConnectionSummary, service: String? = nil, addl: String) -> String {
        let line = LineBuffer()
        appendLine(summary, service: service, addl: addl, to: line)
        return line.string
    }

    /// `line(_:service:addl:)` appended to a log's byte buffer (no newline).
    public static func appendLine(_ summary: ConnectionSummary, service: String? = nil, addl: String,
                                  to line: LineBuffer) {
        let id = summary.id
        let space = UInt8(ascii: " ")
        line.appendFixed(summary.startTime)
        line.append(byte: space)
        if hasDuration(summary) {
            line.appendFixed(summary.duration)
        } else {
            line.append(byte: UInt8(ascii: "?"))
        }
        line.append(byte: space)
        line.append(id.originator)
        line.append(byte: space)
        line.append(id.responder)
        line.append(byte: space)
        if let service {
            line.append(service)
        } else {
            line.append(portService(for: summary))
        }
        line.append(byte: space)
        line.appendDecimal(UInt64(id.originatorPort))
        line.append(byte: space)
        line.appendDecimal(UInt64(id.responderPort))
        line.append(byte: space)
        line.append(id.proto.description)
        line.append(byte: space)
        appendBytesColumn(summary.originator, id.proto, to: line)
        line.append(byte: space)
        appendBytesColumn(summary.responder, id.proto, to: line)
        line.append(byte: space)
        line.append(stateCode(for: summary))
        // local_nets is empty in this configuration, so the flag is always X.
        line.append(byte: space)
        line.append(byte: UInt8(ascii: "X"))
        if !addl.isEmpty {
            line.append(byte: space)
            line.append(addl)
        }
    }

    /// `bytesColumn(_:_:)` appended to a buffer.
    public static func appendBytesColumn(_ endpoint: EndpointSummary, _ proto: TransportProtocol,
                                         to line: LineBuffer) {
        if endpoint.size != 0 {
            line.appendDecimal(UInt64(bitPattern: endpoint.size))
        } else if proto == .tcp && endpoint.tcpState == .closed {
            line.append(byte: UInt8(ascii: "0"))
        } else {
            line.append(byte: UInt8(ascii: "?"))
        }
    }

    /// `%.6f` exactly as C's printf renders it.
    public static func fixed6(_ value: Double) -> String {
        FixedDecimal.string(value)
    }
}
