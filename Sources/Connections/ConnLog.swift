#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
        if summary.id.proto == .tcp {
            let os = summary.originator.tcpState, rs = summary.responder.tcpState
            guard os == .closed || os == .reset || rs == .closed || rs == .reset else { return "?" }
        }
        return fixed6(summary.duration)
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
        let id = summary.id
        var s = fixed6(summary.startTime)
        s += " "
        s += durationColumn(summary)
        s += " \(id.originator) \(id.responder) "
        s += service ?? portService(for: summary)
        s += " \(id.originatorPort) \(id.responderPort) \(id.proto) "
        s += bytesColumn(summary.originator, id.proto)
        s += " "
        s += bytesColumn(summary.responder, id.proto)
        s += " "
        s += stateCode(for: summary)
        // local_nets is empty in this configuration, so the flag is always X.
        s += " X"
        if !addl.isEmpty {
            s += " "
            s += addl
        }
        return s
    }

    /// `%.6f` exactly as C's printf renders it.
    public static func fixed6(_ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let written = withVaList([value]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 64, "%.6f", args) }
        }
        if written >= 64 {
            // Only absurd magnitudes get here; print them in full.
            var big = [CChar](repeating: 0, count: Int(written) + 1)
            _ = withVaList([value]) { args in
                big.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, Int(written) + 1, "%.6f", args) }
            }
            return String(decoding: big.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
