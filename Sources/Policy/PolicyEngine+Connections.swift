import PacketDecoding

// connection_state_remove handlers (notice.bro, weird.bro, conn.bro) and the
// conn.log service column (SEMANTICS-CONN §4.4).
extension PolicyEngine {
    func handleConnectionRemoved(_ removal: ConnectionRemoval) {
        let connection = removal.connection
        let id = connection.id
        // notice.bro: forget the tag one second later (other handlers may still notice).
        tagDeletions.append((networkTime + configuration.noticeTagForgetDelay, id))
        // weird.bro
        if !weirdIgnore.isEmpty && weirdIgnorePairs.contains(addressPairWord(id)) {
            weirdIgnore[idString(id)] = nil
        }
        didInconsistencyMessage.remove(id)
        // conn.bro (runs last): hot re-check for still-open TCP connections, hot notice,
        // then the line.
        var record = connection.isCompressorPending
            ? ConnectionRecord.compressorPending
            : (connections.removeValue(forKey: id) ?? ConnectionRecord())
        if id.proto == .tcp { connectionGone(&record, connection) }
        if record.hot > 0 {
            logHotConnection(&record, connection, summary: fullIDString(record, connection, removal.summary))
        }
        output.connections.append(ConnectionAnnotation(
            token: removal.token, id: id, service: service(for: record, connection), addl: record.addl))
    }

    /// conn.bro `connection_gone` at removal of a connection still established (S1) or
    /// half-closed (S2/S3).
    func connectionGone(_ record: inout ConnectionRecord, _ connection: PolicyConnection) {
        let os = connection.originatorState
        let rs = connection.responderState
        let bothEstablished = os == TCPEndpointState.established && rs == TCPEndpointState.established
        let halfClosed = (os == TCPEndpointState.closed || rs == TCPEndpointState.closed)
            && (os == TCPEndpointState.established || rs == TCPEndpointState.established)
        guard bothEstablished || halfClosed else { return }
        if connection.originatorSize == 0 || connection.responderSize == 0 {
            if os == TCPEndpointState.reset && rs == TCPEndpointState.inactive { return }
            record.hot = 0
        } else {
            checkHot(&record, connection, stage: .timeout)
        }
    }

    /// conn.bro `log_hot_conn`: one SensitiveConnection per distinct summary text.
    func logHotConnection(_ record: inout ConnectionRecord, _ connection: PolicyConnection, summary: String) {
        guard record.hotReported.insert(summary).inserted else { return }
        notice(note: "SensitiveConnection", message: "hot: " + summary, connection: connection, record: &record)
    }

    /// The service column: hash-first service, else `RPC_server_map`, else port names.
    func service(for record: ConnectionRecord, _ connection: PolicyConnection) -> String {
        let id = connection.id
        if let first = firstService(record.services) { return first }
        let responderPort = PortValue(id.responderPort, id.proto)
        if let mapped = rpcServerMap[ServerPort(server: id.responder, port: responderPort)] { return mapped }
        let responderName = portName(responderPort)
        if connection.originatorState == 0, responderName == nil,
           let originatorName = portName(PortValue(id.originatorPort, id.proto)) {
            return originatorName
        }
        return responderName ?? "other"
    }

    /// Cached `ScriptTableOrder.firstService`: connections repeat the same few
    /// procedure-name sequences, and the hash-order model is costly to rebuild.
    func firstService(_ services: [String]) -> String? {
        guard services.count > 1 else { return services.first }
        // Lists of portmapper procedure names (all of them here) are keyed by a word.
        if let code = Self.procedureSequenceCode(services) {
            if let first = firstServicesByCode[code] { return first }
            let first = ScriptTableOrder.firstService(services)
            if let first { firstServicesByCode[code] = first }
            return first
        }
        if let first = firstServices[services] { return first }
        let first = ScriptTableOrder.firstService(services)
        if let first, firstServices.count < 4096 { firstServices[services] = first }
        return first
    }

    /// The list as 3-bit procedure numbers (+1), first name in the low bits; nil when a
    /// name is not a procedure's or the list is longer than the word holds. Distinct
    /// lists get distinct codes; ordered selections of the six names (under 2,000)
    /// bound the cache.
    static func procedureSequenceCode(_ services: [String]) -> UInt64? {
        guard services.count <= 21 else { return nil }
        var code: UInt64 = 0
        for (position, name) in services.enumerated() {
            let number: UInt64
            switch name {
            case "pm_null": number = 1
            case "pm_set": number = 2
            case "pm_unset": number = 3
            case "pm_getport": number = 4
            case "pm_dump": number = 5
            case "pm_callit": number = 6
            default: return nil
            }
            code |= number << UInt64(3 * position)
        }
        return code
    }

    /// conn.bro `full_id_string` (text of a SensitiveConnection notice).
    func fullIDString(_ record: ConnectionRecord, _ connection: PolicyConnection, _ summary: ConnectionSummaryText) -> String {
        let id = connection.id
        let graphic = [
            "OTH": "?>?", "REJ": "[", "RSTO": ">]", "RSTOS0": "}]", "RSTR": ">[", "RSTRH": "<[",
            "S0": "}", "S1": ">", "S2": "}2", "S3": "}3", "SF": ">", "SH": ">h", "SHR": "<h",
        ][summary.stateCode] ?? "?>?"
        let serviceName = portName(PortValue(id.responderPort, id.proto)) ?? "other"
        let state = summary.stateCode
        if state == "S0" || state == "S1" || state == "REJ" {
            return "\(id.originator) \(graphic) \(id.responder)/\(serviceName) \(record.addl)"
        }
        return "\(id.originator) \(summary.originatorBytesText)b \(graphic) \(id.responder)/\(serviceName) "
            + "\(summary.responderBytesText)b \(FixedPoint.format(summary.duration, decimals: 1))s \(record.addl)"
    }
}
