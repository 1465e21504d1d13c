#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PacketDecoding

// portmapper.bro (SEMANTICS-RPC §3).
extension PolicyEngine {
    func handlePortmapper(_ event: PortmapperEvent, connection: PolicyConnection) {
        let id = connection.id
        switch event {
        case .requestNull:
            pmRequest(connection, .null, text: "", logIt: false)

        case .requestSet(let m, let success), .requestUnset(let m, let success):
            let procedure: PortmapperProcedure = if case .requestSet = event { .set } else { .unset }
            scratch.removeAll()
            scratch.append(programName(m.program))
            scratch.append(byte: UInt8(ascii: " "))
            scratch.appendDecimal(UInt64(m.port.number))
            scratch.append(success ? " (ok)" : " (failed)")
            let text = scratch.string
            pmRequest(connection, procedure, text: text, logIt: true)

        case .requestGetport(let request, let port):
            let program = programName(request.program)
            let logIt = getportIsSensitive(id, program: program)
            updateServerMap(server: id.responder, port: port, program: program)
            scratch.removeAll()
            scratch.append(program)
            scratch.append(" -> ")
            appendPort(port, to: scratch)
            pmRequest(connection, .getport, text: scratch.string, logIt: logIt)

        case .requestDump(let mappings):
            let logIt = !configuration.rpcDumpOkay.contains(AddressPair(id.originator, id.responder))
            pmRequest(connection, .dump, text: mappings.isEmpty ? "(nil)" : "(done)", logIt: logIt)
            let list = mappingText(server: id.responder, mappings)
            withRecord(connection) { Annotation.append("<" + list + ">", to: &$0.addl) }

        case .requestCallit(let call, let port):
            let program = programName(call.program)
            let logIt = !suppressPMLog.contains(AddressName(id.originator, program))
            scratch.removeAll()
            scratch.append(program)
            scratch.append(byte: UInt8(ascii: "/"))
            scratch.appendDecimal(call.procedure)
            scratch.append(" (")
            scratch.appendDecimal(call.argSize)
            scratch.append(" bytes) -> ")
            appendPort(port, to: scratch)
            let text = scratch.string
            pmRequest(connection, .callit, text: text, logIt: logIt)
            if program == "walld" { suppressPMLog.insert(AddressName(id.originator, program)) }

        case .attemptNull(let status):
            pmAttempt(connection, .null, status: status)
        case .attemptSet(let status, _):
            pmAttempt(connection, .set, status: status)
        case .attemptUnset(let status, _):
            pmAttempt(connection, .unset, status: status)
        case .attemptGetport(let status, _):
            // The script computes pm_check_getport here too, but attempts never notice.
            pmAttempt(connection, .getport, status: status)
        case .attemptDump(let status):
            pmAttempt(connection, .dump, status: status)
        case .attemptCallit(let status, let call):
            let program = programName(call.program)
            // A failed RPC_status lookup aborts the whole handler, so walld is not
            // remembered after an RPC_VERS_MISMATCH attempt.
            if pmAttempt(connection, .callit, status: status), program == "walld" {
                suppressPMLog.insert(AddressName(id.originator, program))
            }

        case .badPort(let value):
            // The script raises an event: it runs after everything already queued.
            if derivesBadPortWeird {
                enqueue(.weird(time: networkTime, event: WeirdEvent(
                    name: "bad_pm_port", addl: "port \(value)", scope: .connection(connection))))
            }
        }
    }

    /// `rpc_prog(p)`.
    func programName(_ program: UInt32) -> String {
        configuration.rpcPrograms[program] ?? "unknown-\(program)"
    }

    /// `pm_check_getport`: F (not sensitive) for okay services, servers, pairs and nets.
    func getportIsSensitive(_ id: ConnectionID, program: String) -> Bool {
        if configuration.rpcOkayServices.contains(program)
            || anyRPCOkay.contains(AddressName(id.responder, program))
            || configuration.rpcOkay.contains(RPCOkayEntry(server: id.responder, client: id.originator, service: program)) {
            return false
        }
        return !configuration.rpcOkayNets.contains { $0.contains(id.originator) }
    }

    /// `pm_request(r, proc, addl, log_it)` (§3.3).
    func pmRequest(_ connection: PolicyConnection, _ procedure: PortmapperProcedure, text: String, logIt: Bool) {
        let name = procedure.scriptName
        var logIt = logIt
        if quietWhenAnswered[Int(procedure.rawValue)] { logIt = false }
        let isUDP = connection.id.proto != .tcp
        if isUDP {
            scanCheck(connection, established: true, reverse: false)
        }
        withRecord(connection) { record in
            if isUDP { checkHot(&record, connection, stage: .established) }
            if record.addl.isEmpty {
                record.addl = text
            } else if record.addl.utf8.count > configuration.annotationLimit {
                Annotation.append("...", to: &record.addl)
            } else {
                Annotation.append(text, to: &record.addl, separator: ", ")
            }
            record.addService(name)
            checkHot(&record, connection, stage: .finished)
            pmActivity(&record, connection, logIt: logIt || record.hot > 0, procedure: procedure)
        }
    }

    /// `pm_attempt(r, proc, status, addl, log_it)` (§3.4). Returns false when the handler
    /// aborts on a status without `RPC_status` text (RPC_VERS_MISMATCH).
    @discardableResult
    func pmAttempt(_ connection: PolicyConnection, _ procedure: PortmapperProcedure, status: RPCStatus) -> Bool {
        let isUDP = connection.id.proto != .tcp
        if isUDP {
            scanCheck(connection, established: false, reverse: false)
        }
        return withRecord(connection) { record in
            if isUDP { checkHot(&record, connection, stage: .attempted) }
            record.addService(procedure.scriptName)
            guard let text = configuration.rpcStatusText[status.rawValue] else { return false }
            Annotation.append("(" + text + ")", to: &record.addl)
            // Failed attempts never notice (pm_activity with log_it = F).
            return true
        }
    }

    /// `pm_activity`: one SensitivePortmapperAccess per (client, server, proc) per run.
    func pmActivity(_ record: inout ConnectionRecord, _ connection: PolicyConnection, logIt: Bool,
                    procedure: PortmapperProcedure) {
        let id = connection.id
        let key = PMLogKey(client: id.originator, server: id.responder, procedure: procedure)
        let name = procedure.scriptName
        // The key is remembered before the notice is raised; nothing in between reads it.
        guard logIt, suppressPMLog.isEmpty || !suppressPMLog.contains(AddressName(id.originator, name)),
              didPMLog.insert(key).inserted else { return }
        scratch.removeAll()
        scratch.append("rpc: ")
        appendID(id, to: scratch)
        scratch.append(byte: UInt8(ascii: " "))
        scratch.append(name)
        scratch.append(": ")
        scratch.append(record.addl)
        notice(note: "SensitivePortmapperAccess", message: scratch.string, connection: connection, record: &record)
    }

    /// `update_RPC_server_map`: names joined by `/`, skipped when already a substring.
    func updateServerMap(server: IPv4Address, port: PortValue, program: String) {
        let key = ServerPort(server: server, port: port)
        // One hash for a known key: the index serves both the read and the update.
        if let index = rpcServerMap.index(forKey: key) {
            let current = rpcServerMap.values[index]
            if !Annotation.containsBytes(current, program) { rpcServerMap.values[index] = current + "/" + program }
        } else {
            rpcServerMap[key] = program
        }
    }

    /// `PortValue.description` (`N/proto`) as bytes.
    func appendPort(_ port: PortValue, to text: LineBuffer) {
        text.appendDecimal(UInt64(port.number))
        text.append(byte: UInt8(ascii: "/"))
        text.append(port.proto.description)
    }

    /// Byte-wise order of the UTF-8 forms (the reference sorts raw strings).
    static func utf8Precedes(_ left: String, _ right: String) -> Bool {
        var left = left, right = right
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let common = min(a.count, b.count)
                if common > 0, let x = a.baseAddress, let y = b.baseAddress {
                    let order = memcmp(x, y, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    /// Cached `ScriptTableOrder.dumpVisitOrder` (replies repeat the same few sizes; a
    /// reply holds at most a few thousand entries, which bounds the cache).
    func dumpVisitOrder(count: Int) -> [Int] {
        if count < 2 { return Array(0..<count) }
        if let order = dumpVisitOrders[count] { return order }
        let order = ScriptTableOrder.dumpVisitOrder(count: count)
        if dumpVisitOrders.count < 4096 { dumpVisitOrders[count] = order }
        return order
    }

    /// `pm_mapping_to_text`: distinct (program number, port) pairs in table visit order
    /// update the server map; the text is the byte-sorted list joined by `, `.
    func mappingText(server: IPv4Address, _ mappings: [PortmapMapping]) -> String {
        struct Seen: Hashable { var program: UInt32; var port: PortValue }
        // Replies are short: a linear scan beats hashing until they are not.
        var seenList: [Seen] = []
        var seen: Set<Seen> = []
        let useList = mappings.count <= 32
        if useList { seenList.reserveCapacity(mappings.count) }
        var texts: [String] = []
        texts.reserveCapacity(mappings.count)
        for position in dumpVisitOrder(count: mappings.count) {
            let mapping = mappings[position]
            let key = Seen(program: mapping.program, port: mapping.port)
            if useList {
                guard !seenList.contains(key) else { continue }
                seenList.append(key)
            } else {
                guard seen.insert(key).inserted else { continue }
            }
            let name = programName(mapping.program)
            scratch.removeAll()
            scratch.append(name)
            scratch.append(" -> ")
            appendPort(mapping.port, to: scratch)
            texts.append(scratch.string)
            updateServerMap(server: server, port: mapping.port, program: name)
        }
        texts.sort(by: Self.utf8Precedes)
        return texts.joined(separator: ", ")
    }
}
