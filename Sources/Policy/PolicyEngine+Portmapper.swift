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
            withRecord(connection) { annotate(list, &$0.addl) }

        case .requestCallit(let call, let port):
            let program = programName(call.program)
            let logIt = !isPMLogSuppressed(id.originator, program)
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
            if program == "walld" { suppressPMLogWalld.insert(id.originator) }

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
                suppressPMLogWalld.insert(id.originator)
            }

        case .badPort(let value):
            // The script raises an event: it runs after everything already queued.
            if derivesBadPortWeird {
                enqueue(.weird(time: networkTime, event: WeirdEvent(
                    name: "bad_pm_port", addl: "port \(value)", scope: .connection(connection))))
            }
        }
    }

    /// `[client, name] in suppress_pm_log`.
    func isPMLogSuppressed(_ client: IPv4Address, _ name: String) -> Bool {
        name == "walld" && suppressPMLogWalld.contains(client)
    }

    /// `rpc_prog(p)`.
    func programName(_ program: UInt32) -> String {
        programNames[UInt64(program) + 1] ?? "unknown-\(program)"
    }

    /// `pm_check_getport`: F (not sensitive) for okay services, servers, pairs and nets.
    func getportIsSensitive(_ id: ConnectionID, program: String) -> Bool {
        if (!configuration.rpcOkayServices.isEmpty && configuration.rpcOkayServices.contains(program))
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
                annotate("...", &record.addl)
            } else {
                annotate(text, &record.addl, separator: ", ")
            }
            record.addService(name)
            if record.hasFTPData { servicesIncludeFTPData = true }
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
            if record.hasFTPData { servicesIncludeFTPData = true }
            guard let text = configuration.rpcStatusText[status.rawValue] else { return false }
            annotate("(" + text + ")", &record.addl)
            // Failed attempts never notice (pm_activity with log_it = F).
            return true
        }
    }

    /// `pm_activity`: one SensitivePortmapperAccess per (client, server, proc) per run.
    func pmActivity(_ record: inout ConnectionRecord, _ connection: PolicyConnection, logIt: Bool,
                    procedure: PortmapperProcedure) {
        let id = connection.id
        let key = UInt64(id.originator.value) << 32 | UInt64(id.responder.value)
        let name = procedure.scriptName
        // The key is remembered before the notice is raised; nothing in between reads it.
        guard logIt, !isPMLogSuppressed(id.originator, name),
              didPMLog[Int(procedure.rawValue)].insert(key) else { return }
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
        ReferenceLogLines.appendPort(port, to: text)
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

    /// `"<" + pm_mapping_to_text(...) + ">"`: distinct (program number, port) pairs in
    /// table visit order update the server map; the text is the list byte-sorted and
    /// joined by `, `. Entries are written once into a reused byte arena and sorted as
    /// ranges of it (no String per entry, no array of Strings, no `joined`).
    func mappingText(server: IPv4Address, _ mappings: [PortmapMapping]) -> String {
        let arena = mappingArena
        arena.removeAll()
        mappingRanges.removeAll(keepingCapacity: true)
        mappingSeen.removeAll(keepingCapacity: true)
        // Replies are short: a linear scan beats hashing until they are not.
        var seen: Set<MappingKey> = []
        let useList = mappings.count <= 32
        for position in dumpVisitOrder(count: mappings.count) {
            let mapping = mappings[position]
            let key = MappingKey(program: mapping.program, port: mapping.port)
            if useList {
                guard !mappingSeen.contains(key) else { continue }
                mappingSeen.append(key)
            } else {
                guard seen.insert(key).inserted else { continue }
            }
            let name = programName(mapping.program)
            let begin = arena.count
            arena.append(name)
            arena.append(" -> ")
            appendPort(mapping.port, to: arena)
            mappingRanges.append(ArenaRange(start: begin, count: arena.count - begin))
            updateServerMap(server: server, port: mapping.port, program: name)
        }
        // The arena is complete: its base address is stable while sorting and copying.
        let base = UnsafePointer(arena.bytes.baseAddress)
        mappingRanges.sort { left, right in
            guard let base else { return false }
            return Self.bytesPrecede(base + left.start, left.count, base + right.start, right.count)
        }
        scratch.removeAll()
        scratch.append(byte: UInt8(ascii: "<"))
        if let base {
            for (index, range) in mappingRanges.enumerated() {
                if index > 0 { scratch.append(", ") }
                scratch.append(UnsafeBufferPointer(start: base + range.start, count: range.count))
            }
        }
        scratch.append(byte: UInt8(ascii: ">"))
        return scratch.string
    }

    /// Byte-wise order (the reference sorts raw strings): memcmp of the common
    /// prefix, then the shorter first.
    static func bytesPrecede(_ a: UnsafePointer<UInt8>, _ aCount: Int, _ b: UnsafePointer<UInt8>, _ bCount: Int) -> Bool {
        let common = min(aCount, bCount)
        if common > 0 {
            let order = memcmp(a, b, common)
            if order != 0 { return order < 0 }
        }
        return aCount < bCount
    }
}

/// A distinct DUMP entry as `pm_mapping_to_text` de-duplicates it.
struct MappingKey: Hashable {
    var program: UInt32
    var port: PortValue
}

/// Bytes `start ..< start + count` of a scratch arena.
struct ArenaRange {
    var start: Int
    var count: Int
}
