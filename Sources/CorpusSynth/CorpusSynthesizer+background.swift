/// Background traffic: what a capture filter on port 111 has to wade through.
extension CorpusSynthesizer {
    static let bulkServerPorts: [UInt16] = [80, 443, 22, 445, 873, 3306, 8080, 2049]

    /// A TCP connection moving a bulk transfer one way, the other side ACKing every
    /// second segment; a few segments are retransmitted.
    /// - Parameter maxBytes: file bytes left before the target size.
    func bulkEpisode(maxBytes: UInt64) throws(CorpusSynthError) {
        let start = output.fileBytes
        // A skewed size mix: mostly short transfers, some long ones.
        let budget = min(UInt64(rng.chance(0.2) ? rng.inRange(200_000...2_000_000) : rng.inRange(3_000...120_000)), maxBytes)
        let port = Self.bulkServerPorts[rng.below(Self.bulkServerPorts.count)]
        var flow = makeFlow(ipProtocol: SynthFlow.tcp, serverPort: port, ipv6Share: 0.2, vlanShare: 0.15)
        let rtt = UInt64(rng.inRange(150...40_000))
        try tcpHandshake(&flow, rtt: rtt)
        let senderIsClient = rng.chance(0.2)
        let mss = flow.isIPv6 ? 1428 : 1448
        // Handshake and close frames take about 600 file bytes.
        let closingReserve: UInt64 = 400
        var segments = 0
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        while output.fileBytes - start + closingReserve < budget {
            let room = Int(budget - (output.fileBytes - start + closingReserve))
            let length = max(1, min(mss, room - 90))
            let offset = rng.below(Self.payloadPoolBytes) & ~7
            let payload = UnsafeRawBufferPointer(start: payloadPool + offset, count: length)
            let seq = senderIsClient ? flow.clientSeq : flow.serverSeq
            try tcpSend(&flow, fromClient: senderIsClient, flags: TCPFlag.ack | (segments & 7 == 7 ? TCPFlag.psh : 0), payload: payload)
            segments += 1
            if rng.chance(0.002) {
                // Retransmission: the same bytes at the same sequence number.
                clock += rtt
                let ack = senderIsClient ? flow.serverSeq : flow.clientSeq
                try emit(&flow, fromClient: senderIsClient, flags: TCPFlag.ack, seq: seq, ack: ack, payload: payload)
            }
            if segments & 1 == 0 {
                try tcpSend(&flow, fromClient: !senderIsClient, flags: TCPFlag.ack, payload: none)
            }
        }
        clock += rtt
        try tcpClose(&flow, rtt: rtt)
    }

    static let dnsLabels: [StaticString] = ["www", "mail", "api", "cdn", "static", "login", "ns1", "imap", "git", "files"]
    static let dnsDomains: [StaticString] = ["example", "corp", "university", "shop", "news", "cloudhost"]
    static let dnsTLDs: [StaticString] = ["com", "org", "net", "edu", "io"]

    /// One DNS query over UDP and its answer (A or AAAA).
    func dnsEpisode() throws(CorpusSynthError) {
        var flow = makeFlow(ipProtocol: SynthFlow.udp, serverPort: 53, ipv6Share: 0.25, vlanShare: 0.15)
        let id = UInt16(truncatingIfNeeded: rng.next())
        let aaaa = rng.chance(0.3)
        var w = DNSWriter(base: scratch)
        w.u16(id); w.u16(0x0100); w.u16(1); w.u16(0); w.u16(0); w.u16(0)
        w.label(Self.dnsLabels[rng.below(Self.dnsLabels.count)])
        w.label(Self.dnsDomains[rng.below(Self.dnsDomains.count)])
        w.label(Self.dnsTLDs[rng.below(Self.dnsTLDs.count)])
        w.byte(0)
        w.u16(aaaa ? 28 : 1); w.u16(1)
        let queryLength = w.count
        try emit(&flow, fromClient: true, payload: UnsafeRawBufferPointer(start: scratch, count: queryLength))
        clock += UInt64(rng.inRange(300...60_000))
        // The answer reuses the query bytes: flags, counts, then one resource record.
        w.patch16(0x8180, at: 2)
        w.patch16(1, at: 6)
        w.u16(0xC00C); w.u16(aaaa ? 28 : 1); w.u16(1)
        w.u16(0); w.u16(UInt16(60 + rng.below(3600)))
        if aaaa {
            w.u16(16)
            w.u16(0x2001); w.u16(0x0db8); w.u16(0xcafe)
            for _ in 0..<5 { w.u16(UInt16(truncatingIfNeeded: rng.next())) }
        } else {
            w.u16(4)
            w.u16(UInt16(truncatingIfNeeded: rng.next())); w.u16(UInt16(truncatingIfNeeded: rng.next()))
        }
        try emit(&flow, fromClient: false, payload: UnsafeRawBufferPointer(start: scratch, count: w.count))
    }
}

/// Byte appender for DNS messages (network order).
struct DNSWriter {
    let base: UnsafeMutableRawPointer
    var count = 0

    mutating func byte(_ value: UInt8) {
        (base + count).storeBytes(of: value, as: UInt8.self)
        count += 1
    }

    mutating func u16(_ value: UInt16) {
        (base + count).storeBytes(of: value.bigEndian, as: UInt16.self)
        count += 2
    }

    mutating func patch16(_ value: UInt16, at offset: Int) {
        (base + offset).storeBytes(of: value.bigEndian, as: UInt16.self)
    }

    mutating func label(_ text: StaticString) {
        byte(UInt8(text.utf8CodeUnitCount))
        (base + count).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }
}
