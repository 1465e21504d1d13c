import PacketDecoding

// weird.bro (SEMANTICS-RPC §4, SEMANTICS-CONN §1.7).
extension PolicyEngine {
    func handleWeird(_ event: WeirdEvent) {
        switch event.scope {
        case .net:
            reportWeird(name: event.name, id: "", addl: "", action: .unspecified, noLog: false, connection: nil)
        case .flow(let source, let destination):
            scratch.removeAll()
            scratch.append(source)
            scratch.append(" -> ")
            scratch.append(destination)
            reportWeirdOriginator(name: event.name, id: scratch.string, originator: source)
        case .connection(let connection):
            reportWeirdConnection(name: event.name, addl: event.addl, connection: connection)
        }
    }

    /// `report_weird_conn`: host ignores, action filters and per-conn/orig/once bookkeeping.
    func reportWeirdConnection(name: String, addl: String, connection: PolicyConnection) {
        let id = connection.id
        // Usually empty: skip hashing the name twice.
        if !configuration.weirdIgnoreHost.isEmpty
            && (configuration.weirdIgnoreHost.contains(AddressName(id.originator, name))
                || configuration.weirdIgnoreHost.contains(AddressName(id.responder, name))) {
            return
        }
        var action = WeirdAction.unspecified
        var noLog = false
        if let tableAction = configuration.weirdAction[name] {
            if let filter = configuration.weirdActionFilters[name] {
                action = evaluate(filter, originator: id.originator)
            }
            if action == .unspecified { action = tableAction }
            switch action {
            case .noticePerConnection:
                noLog = remember(&didNoticeConnection, ConnectionNameKey(id: id, name: name))
            case .noticePerOriginator:
                noLog = remember(&didNoticeOriginator, AddressName(id.originator, name))
            case .noticeOnce:
                noLog = remember(&didWeirdLog, name)
            default:
                break
            }
        }
        reportWeird(name: name, id: idString(id), addl: addl, action: action, noLog: noLog, connection: connection)
    }

    /// `report_weird_orig` (flow weirds): no filters, no host ignores, PER_ORIG only.
    func reportWeirdOriginator(name: String, id: String, originator: IPv4Address) {
        var action = WeirdAction.unspecified
        var noLog = false
        if let tableAction = configuration.weirdAction[name] {
            action = tableAction
            if action == .noticePerOriginator {
                noLog = remember(&didNoticeOriginator, AddressName(originator, name))
            }
        }
        reportWeird(name: name, id: id, addl: "", action: action, noLog: noLog, connection: nil)
    }

    /// Set membership with read-expire bookkeeping: true if the key was already present
    /// (its access time is refreshed), else it is added.
    func remember<Key: Hashable>(_ table: inout [Key: Double], _ key: Key) -> Bool {
        let seen = table[key] != nil
        table[key] = networkTime
        return seen
    }

    func evaluate(_ filter: WeirdActionFilter, originator: IPv4Address) -> WeirdAction {
        switch filter {
        case .rpcOkayNets:
            return configuration.rpcOkayNets.contains { $0.contains(originator) } ? .file : .unspecified
        case .originatorIn(let networks, let action):
            return networks.contains { $0.contains(originator) } ? action : .unspecified
        }
    }

    /// `report_weird`: builds the message, raises the notice or remembers the repeat,
    /// and writes the weird.log line.
    func reportWeird(name: String, id: String, addl: String, action: WeirdAction, noLog: Bool,
                     connection: PolicyConnection?) {
        if action == .ignore { return }
        // A connection id string can only be a key if its address pair is in the gate.
        var mayBeIgnored = !weirdIgnore.isEmpty
        if mayBeIgnored, let connection { mayBeIgnored = weirdIgnorePairs.contains(addressPairWord(connection.id)) }
        if mayBeIgnored, let entry = weirdIgnore[id], entry.names.contains(name) { return }
        var action = action
        var unknown = false
        if action == .unspecified {
            if let tableAction = configuration.weirdAction[name] {
                action = tableAction
                if action == .ignore { return }
            } else {
                action = .noticeAlways
                unknown = true
            }
        }
        // `[** ]ID: NAME[ (ADDL)]`
        scratch.removeAll()
        if unknown { scratch.append("** ") }
        scratch.append(id)
        scratch.append(": ")
        scratch.append(name)
        if !addl.isEmpty {
            scratch.append(" (")
            scratch.append(addl)
            scratch.append(byte: UInt8(ascii: ")"))
        }
        let message = scratch.string

        if action.isNoticeAction && !noLog {
            if let connection {
                withRecord(connection) { record in
                    notice(note: "WeirdActivity", message: message, connection: connection, record: &record)
                }
            } else {
                notice(note: "WeirdActivity", message: message)
            }
        } else if !id.isEmpty && !configuration.weirdDoNotIgnoreRepeats.contains(name) {
            // Creating the entry starts its write-expiry clock; adding names does not.
            let pair = connection.map { addressPairWord($0.id) }
            weirdIgnore[id, default: WeirdIgnoreEntry(created: networkTime, names: [], connectionPair: pair)]
                .names.insert(name)
            if let pair { _ = weirdIgnorePairs.insert(pair) }
        }
        output.weirds.append(WeirdRecord(
            time: networkTime, message: message, name: name, id: id, addl: addl, unknownName: unknown))
    }

    // MARK: TCP-layer notices (weird.bro handlers)

    func handleConnectionNotice(_ event: ConnectionNoticeEvent, connection: PolicyConnection) {
        let id = connection.id
        let message: String
        switch event {
        case .rexmitInconsistency(let old, let new):
            guard didInconsistencyMessage.insert(id).inserted else { return }
            message = "\(idString(id)) rexmit inconsistency (\(BroStringRender.render(old))) (\(BroStringRender.render(new)))"
            raise("RetransmissionInconsistency", message)
        case .ackAboveHole:
            message = "\(idString(id)) ack above a hole"
            raise("AckAboveHole", message)
        case .contentGap(let isOriginator, let sequence, let length):
            // `is_external_connection` needs a cluster peer setup; never true here.
            message = "\(idString(id)) content gap (\(isOriginator ? ">" : "<") \(sequence)/\(length))"
            raise("ContentGap", message)
        }

        func raise(_ note: String, _ message: String) {
            withRecord(connection) { record in
                notice(note: note, message: message, connection: connection, record: &record)
            }
        }
    }
}
