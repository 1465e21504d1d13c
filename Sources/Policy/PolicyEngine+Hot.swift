import PacketDecoding

/// hot.bro `check_hot` stages.
enum HotStage {
    case attempted, established, applicationEstablished, finished, rejected, timeout
}

// hot.bro and the conn.bro / scan.bro handlers of TCP connection events.
extension PolicyEngine {
    func isLocal(_ address: IPv4Address) -> Bool {
        configuration.localNets.contains { $0.contains(address) }
    }

    /// `Hot::check_hot(c, state)`. With the default tables only `hot_dsts`
    /// (206.101.197.226) can fire on port-111 traffic.
    func checkHot(_ record: inout ConnectionRecord, _ connection: PolicyConnection, stage: HotStage) {
        let id = connection.id
        let service = PortValue(id.responderPort, id.proto)
        if hotAllowPorts.contains(service) || record.hasFTPData { return }
        switch stage {
        case .attempted:
            checkSpoof(connection)
        case .rejected:
            checkSpoof(connection)
            if hotRejectedPorts.contains(service) { record.hot += 1 }
        case .established:
            checkSpoof(connection)
            guard hotSuccessPorts.contains(service) else { return }
            let inbound = isLocal(id.responder)
            if let text = configuration.flagSuccessfulService[service]
                ?? (inbound ? configuration.flagSuccessfulInboundService[service] : nil) {
                record.hot += 1
                annotate(text, &record.addl)
            }
        case .applicationEstablished, .finished, .timeout:
            if stage != .applicationEstablished {
                guard service != PortValue(23, .tcp), connection.originatorSize > 0,
                      connection.responderSize > 0 else { return }
            }
            // The reference looks the *responder* up in both tables (hot_srcs too).
            if let text = configuration.hotSources[id.responder] { flagHotAddress(text, &record) }
            if let text = configuration.hotDestinations[id.responder] { flagHotAddress(text, &record) }
        }
    }

    private func flagHotAddress(_ text: String, _ record: inout ConnectionRecord) {
        record.hot += 1
        annotate("<" + text + ">", &record.addl)
    }

    /// `Hot::check_spoof`: only a Land attack between local hosts is reported
    /// (`same_local_net_is_spoof` is F).
    func checkSpoof(_ connection: PolicyConnection) {
        let id = connection.id
        let service = PortValue(id.responderPort, id.proto)
        guard isLocal(id.originator), isLocal(id.responder),
              !configuration.hotAllowSpoofServices.contains(service) else { return }
        if id.originatorPort == id.responderPort && id.originator == id.responder {
            enqueue(.weird(time: networkTime, event: WeirdEvent(name: "Land_attack", scope: .connection(connection))))
        }
    }

    func handleConnectionEvent(_ event: ConnectionLifecycleEvent, connection: PolicyConnection,
                               summary: ConnectionSummaryText) {
        let os = connection.originatorState
        let rs = connection.responderState
        let sizesNonZero = connection.originatorSize > 0 && connection.responderSize > 0
        // conn.bro handlers first (loaded before scan.bro's), then scan.bro's.
        withRecord(connection) { record in
            switch event {
            case .established:
                checkHot(&record, connection, stage: .established)
                if record.hot > 0 { logHotConnection(&record, connection, summary: fullIDString(record, connection, summary)) }
            case .partial:
                if !(os == TCPEndpointState.partial && rs == TCPEndpointState.inactive) {
                    checkHot(&record, connection, stage: .established)
                    checkHot(&record, connection, stage: .applicationEstablished)
                }
                if record.hot > 0 { logHotConnection(&record, connection, summary: fullIDString(record, connection, summary)) }
            case .attempt:
                checkSpoof(connection)
                checkHot(&record, connection, stage: .attempted)
            case .finished, .partialClose:
                if sizesNonZero { checkHot(&record, connection, stage: .finished) } else { record.hot = 0 }
            case .halfFinished:
                checkHot(&record, connection, stage: .attempted)
            case .rejected:
                checkHot(&record, connection, stage: .rejected)
            case .reset:
                checkHot(&record, connection, stage: .finished)
            case .pending:
                let originatorClosed = os == TCPEndpointState.closed || os == TCPEndpointState.reset
                let responderQuiet = rs == TCPEndpointState.inactive || rs == TCPEndpointState.partial
                if (originatorClosed && responderQuiet) || os == TCPEndpointState.reset || rs == TCPEndpointState.reset {
                    break
                }
                checkHot(&record, connection, stage: .finished)
            }
        }
        switch event {
        case .established:
            scanCheck(connection, established: true, reverse: os == TCPEndpointState.inactive)
        case .partial:
            scanCheck(connection, established: true, reverse: false)
        case .attempt:
            scanCheck(connection, established: false, reverse: os == TCPEndpointState.inactive)
        case .halfFinished:
            scanCheck(connection, established: false, reverse: false)
        case .rejected:
            scanCheck(connection, established: false, reverse: os == TCPEndpointState.reset)
        case .reset:
            if os == TCPEndpointState.inactive || rs == TCPEndpointState.inactive {
                scanCheck(connection, established: connection.originatorSize + connection.responderSize > 0,
                          reverse: os == TCPEndpointState.inactive)
            }
        case .pending:
            if os == TCPEndpointState.partial && rs == TCPEndpointState.inactive {
                scanCheck(connection, established: false, reverse: false)
            }
        case .finished, .partialClose:
            break
        }
    }
}
