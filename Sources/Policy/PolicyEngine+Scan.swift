import PacketDecoding

/// Per-scanner tables of scan.bro; `access` times drive the 15-minute read expiry.
struct ScanState {
    struct Peers { var hosts: Set<IPv4Address> = []; var access: Double }
    struct Ports { var ports: Set<PortValue> = []; var access: Double }
    struct Backscatter { var counts: [IPv4Address: Int] = [:]; var access: Double }

    var distinctPeers: [IPv4Address: Peers] = [:]
    var preDistinctPeers: [IPv4Address: Peers] = [:]
    var distinctPorts: [IPv4Address: Ports] = [:]
    var distinctLowPorts: [IPv4Address: Ports] = [:]
    var backscatterPeers: [IPv4Address: Backscatter] = [:]
    var possibleScanSources: [IPv4Address: Double] = [:]
    var scanTriples: [IPv4Address: [IPv4Address: Set<PortValue>]] = [:]
    var ignoredScanners: Set<IPv4Address> = []
    var shutDownReached: Set<IPv4Address> = []
    /// Next threshold index per scanner (1-based like the script's `&default=1`).
    var backscatterIndex: [IPv4Address: Int] = [:]
    var peerScanIndex: [IPv4Address: Int] = [:]
    var outboundPeerScanIndex: [IPv4Address: Int] = [:]
    var portScanIndex: [AddressPair: Int] = [:]

    mutating func clear(_ address: IPv4Address) {
        distinctPeers[address] = nil
        distinctPorts[address] = nil
        distinctLowPorts[address] = nil
        scanTriples[address] = nil
        possibleScanSources[address] = nil
        backscatterPeers[address] = nil
        preDistinctPeers[address] = nil
        backscatterIndex[address] = nil
        peerScanIndex[address] = nil
        outboundPeerScanIndex[address] = nil
        shutDownReached.remove(address)
        ignoredScanners.remove(address)
    }
}

// scan.bro `check_scan` and its summaries (SEMANTICS-RPC §3.8). Not modelled: the
// 1-day expiry of the threshold-index tables and `ignored_scanners` (runs are shorter),
// `Site::neighbor_nets` (empty) and the per-sweep entry limit.
extension PolicyEngine {
    /// `Scan::check_scan(c, established, reverse)`.
    func scanCheck(_ connection: PolicyConnection, established: Bool, reverse: Bool) {
        let config = configuration.scan
        let id = connection.id
        let now = networkTime
        let hasFTPData = servicesIncludeFTPData && connections[id]?.hasFTPData == true
        let service = hasFTPData ? PortValue(20, .tcp)
            : PortValue(reverse ? id.originatorPort : id.responderPort, id.proto)
        let reverseService = PortValue(reverse ? id.responderPort : id.originatorPort, id.proto)
        let originator = reverse ? id.responder : id.originator
        let responder = reverse ? id.originator : id.responder
        let outbound = isLocal(originator)

        if config.suppressUDPScanChecks && service.proto == .udp { return }
        if !outbound && scanSkipPorts.contains(service) { return }
        if outbound && scanSkipOutboundPorts.contains(service) { return }
        if !config.skipScanSources.isEmpty && config.skipScanSources.contains(originator) { return }
        if config.skipScanNets.contains(where: { $0.contains(originator) }) { return }
        if !scan.ignoredScanners.isEmpty && scan.ignoredScanners.contains(originator) { return }

        // One hash for the access refresh and the peer test.
        var knownPeer = false
        if let index = scan.distinctPeers.index(forKey: originator) {
            scan.distinctPeers.values[index].access = now
            knownPeer = scan.distinctPeers.values[index].hosts.contains(responder)
        }
        if !established && !knownPeer {
            if reverse && configuration.scan.backscatterPorts.contains(reverseService)
                && service.scriptOrderKey >= PortValue(1024, .tcp).scriptOrderKey {
                countBackscatter(originator, responder, reverseService)
            } else {
                countPeer(originator, responder, service, outbound: outbound)
            }
        }
        if established { return }

        if scan.distinctPorts[originator]?.ports.contains(service) != true {
            scan.distinctPorts[originator, default: .init(access: now)].ports.insert(service)
            scan.distinctPorts[originator]!.access = now
            if scan.distinctPorts[originator]!.ports.count >= config.possiblePortScanThreshold,
               scan.scanTriples[originator] == nil {
                scan.scanTriples[originator] = [:]
                scan.possibleScanSources[originator] = now
            }
        } else {
            scan.distinctPorts[originator]!.access = now
        }

        if config.activatePrivPortCheck && !outbound
            && service.scriptOrderKey < PortValue(1024, .tcp).scriptOrderKey
            && !config.trollSkipServices.contains(service)
            && scan.distinctLowPorts[originator]?.ports.contains(service) != true {
            scan.distinctLowPorts[originator, default: .init(access: now)].ports.insert(service)
            scan.distinctLowPorts[originator]!.access = now
            let count = scan.distinctLowPorts[originator]!.ports.count
            if count == config.privScanTrigger {
                notice(note: "LowPortTrolling", message: "low port trolling \(originator) \(service)", source: originator)
            }
            if config.ignoreScannersThreshold > 0 && count > config.ignoreScannersThreshold { ignore(originator) }
        }

        if scan.possibleScanSources[originator] != nil {
            scan.possibleScanSources[originator] = now
            var triples = scan.scanTriples[originator] ?? [:]
            if triples[responder]?.contains(service) != true {
                triples[responder, default: []].insert(service)
                scan.scanTriples[originator] = triples
                let count = triples[responder]!.count
                let pair = AddressPair(originator, responder)
                var index = scan.portScanIndex[pair] ?? 1
                if thresholdReached(config.reportPortScan, &index, originator, count) {
                    notice(note: "PortScan", message: "\(originator) has scanned \(count) ports of \(responder)",
                           source: originator, count: UInt64(count))
                }
                if scan.ignoredScanners.contains(originator) == false { scan.portScanIndex[pair] = index }
            }
        }
    }

    private func countBackscatter(_ originator: IPv4Address, _ responder: IPv4Address, _ reverseService: PortValue) {
        let now = networkTime
        var entry = scan.backscatterPeers[originator] ?? .init(access: now)
        entry.access = now
        entry.counts[responder, default: 0] += 1
        scan.backscatterPeers[originator] = entry
        let hosts = entry.counts.count
        if entry.counts[responder]! == 1 {
            var index = scan.backscatterIndex[originator] ?? 1
            if thresholdReached(configuration.scan.reportBackscatter, &index, originator, hosts) {
                scan.backscatterIndex[originator] = index
                notice(note: "BackscatterSeen",
                       message: "backscatter seen from \(originator) (\(hosts) hosts; \(reverseService))",
                       source: originator)
            }
        }
        let limit = configuration.scan.ignoreScannersThreshold
        if limit > 0 && hosts > limit { ignore(originator) }
    }

    private func countPeer(_ originator: IPv4Address, _ responder: IPv4Address, _ service: PortValue, outbound: Bool) {
        let config = configuration.scan
        let now = networkTime
        if scan.distinctPeers[originator] == nil && config.addressScanTrigger > 0 {
            scan.preDistinctPeers[originator, default: .init(access: now)].hosts.insert(responder)
            scan.preDistinctPeers[originator]!.access = now
            if scan.preDistinctPeers[originator]!.hosts.count < config.addressScanTrigger { return }
        }
        scan.distinctPeers[originator, default: .init(access: now)].hosts.insert(responder)
        scan.distinctPeers[originator]!.access = now
        let count = scan.distinctPeers[originator]!.hosts.count
        if !scan.shutDownReached.contains(originator) && count >= config.shutDownThreshold && !outbound {
            scan.shutDownReached.insert(originator)
            notice(note: "ShutdownThresh", message: "shutdown threshold reached for \(originator)", source: originator)
            return
        }
        var addressScan = false
        if outbound {
            var index = scan.outboundPeerScanIndex[originator] ?? 1
            if thresholdReached(config.reportOutboundPeerScan, &index, originator, count) {
                scan.outboundPeerScanIndex[originator] = index
                addressScan = true
            }
        } else {
            var index = scan.peerScanIndex[originator] ?? 1
            if thresholdReached(config.reportPeerScan, &index, originator, count) {
                scan.peerScanIndex[originator] = index
                addressScan = true
            }
        }
        if addressScan {
            notice(note: "AddressScan", message: "\(originator) has scanned \(count) hosts (\(service))",
                   source: originator, count: UInt64(count))
            let limit = config.ignoreScannersThreshold
            if limit > 0 && count > limit { ignore(originator) }
        }
    }

    /// `thresh_check`: true when `count` reached the next threshold (advancing `index`).
    private func thresholdReached(_ thresholds: [Int], _ index: inout Int, _ originator: IPv4Address, _ count: Int) -> Bool {
        let limit = configuration.scan.ignoreScannersThreshold
        if limit > 0 && count > limit {
            ignore(originator)
            return false
        }
        guard index <= thresholds.count, count >= thresholds[index - 1] else { return false }
        index += 1
        return true
    }

    private func ignore(_ address: IPv4Address) {
        scan.clear(address)
        scan.ignoredScanners.insert(address)
    }

    /// Read-expiry of the per-scanner tables; expiring peer/port sets report summaries
    /// in ascending address order.
    func sweepScanTables() {
        let now = networkTime
        let expiry = configuration.scan.tableReadExpiry
        var bounds = expiryBounds
        defer { expiryBounds = bounds }
        sweepSummarized(\.distinctPeers, bound: &bounds.distinctPeers, now: now, expiry: expiry,
                        access: \.access, summarize: summarizePeers)
        sweepSummarized(\.distinctPorts, bound: &bounds.distinctPorts, now: now, expiry: expiry,
                        access: \.access, summarize: summarizePorts)
        sweepSummarized(\.distinctLowPorts, bound: &bounds.distinctLowPorts, now: now, expiry: expiry,
                        access: \.access, summarize: summarizeLowPorts)
        expireEntries(&scan.preDistinctPeers, now: now, lifetime: expiry, bound: &bounds.preDistinctPeers) {
            $0.access + expiry
        }
        expireEntries(&scan.backscatterPeers, now: now, lifetime: expiry, bound: &bounds.backscatterPeers) {
            $0.access + expiry
        }
        if bounds.possibleScanSources < now {
            let (expired, next) = expiredKeys(scan.possibleScanSources, now: now, lifetime: expiry) { $0 + expiry }
            bounds.possibleScanSources = next
            for address in expired {
                scan.possibleScanSources[address] = nil
                scan.scanTriples[address] = nil
            }
        }
    }

    /// A scan table whose expired scanners get their summary (before removal), in
    /// ascending address order; skipped while `bound` proves nothing has expired.
    private func sweepSummarized<Entry>(
        _ table: WritableKeyPath<ScanState, [IPv4Address: Entry]>, bound: inout Double, now: Double,
        expiry: Double, access: KeyPath<Entry, Double>, summarize: (IPv4Address) -> Void
    ) {
        guard bound < now else { return }
        let (expired, next) = expiredKeys(scan[keyPath: table], now: now, lifetime: expiry) {
            $0[keyPath: access] + expiry
        }
        bound = next
        for address in expired.sorted(by: { $0.value < $1.value }) {
            summarize(address)
            scan[keyPath: table][address] = nil
        }
    }

    func summarizePeers(_ address: IPv4Address) {
        let count = scan.distinctPeers[address]?.hosts.count ?? 0
        if count >= configuration.scan.scanSummaryTrigger {
            notice(note: "ScanSummary", message: "\(address) scanned a total of \(count) hosts",
                   source: address, count: UInt64(count))
        }
    }

    func summarizePorts(_ address: IPv4Address) {
        let count = scan.distinctPorts[address]?.ports.count ?? 0
        if count >= configuration.scan.portSummaryTrigger {
            notice(note: "PortScanSummary", message: "\(address) scanned a total of \(count) ports",
                   source: address, count: UInt64(count))
        }
    }

    func summarizeLowPorts(_ address: IPv4Address) {
        let count = scan.distinctLowPorts[address]?.ports.count ?? 0
        if count >= configuration.scan.lowPortSummaryTrigger {
            notice(note: "LowPortScanSummary", message: "\(address) scanned a total of \(count) low ports",
                   source: address, count: UInt64(count))
        }
    }

    /// `bro_done`: summaries for every scanner still tracked. The reference walks its
    /// tables in hash order; here ascending address order keeps the output deterministic.
    func handleEndOfInput() {
        for address in scan.distinctPeers.keys.sorted(by: { $0.value < $1.value }) { summarizePeers(address) }
        for address in scan.distinctPorts.keys.sorted(by: { $0.value < $1.value }) { summarizePorts(address) }
        for address in scan.distinctLowPorts.keys.sorted(by: { $0.value < $1.value }) { summarizeLowPorts(address) }
    }
}
