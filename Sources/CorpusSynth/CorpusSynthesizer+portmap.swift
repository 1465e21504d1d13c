/// Portmapper (program 100000 v2, RFC 1833) dialogues on port 111, UDP and TCP.
extension CorpusSynthesizer {
    /// One portmapper call as generated: which procedure, with which arguments.
    struct PortmapCall {
        var xid: UInt32
        /// 0 NULL, 1 SET, 2 UNSET, 3 GETPORT, 4 DUMP, 5 CALLIT; 6...15 = bad procedure.
        var proc: UInt32
        var program: UInt32
        var version: UInt32
        var protocolNumber: UInt32
        var port: UInt32
        var callitProc: UInt32
        var callitArgBytes: Int
        var unixCredentials: Bool
        /// A DUMP reply with one entry whose port is ≥ 65536.
        var badDumpPort: Bool
    }

    /// (program, version) pairs a server plausibly registers; numbers from the reference's rpc_programs table.
    static let knownPrograms: [(UInt32, UInt32)] = [
        (100003, 3), (100005, 3), (100021, 4), (100024, 1), (100011, 1), (100227, 3), (100004, 2),
        (100007, 2), (100009, 1), (100008, 1), (100001, 3), (100002, 2), (100012, 1), (100232, 10),
        (100068, 4), (100083, 1), (150001, 2), (100099, 1), (100026, 1), (100029, 1),
    ]

    static let machineNames: [StaticString] = ["ws17", "build-03", "nfsclient", "lab-pc12", "oracle1", "sunbox"]

    /// The port a given server has `program` on (stable within a file: derived from the numbers).
    func registeredPort(program: UInt32, protocolNumber: UInt32, server: UInt32) -> UInt32 {
        switch program {
        case 100000: return 111
        case 100003, 100227: return 2049
        case 100005: return 20048
        case 100011: return 875
        default:
            let h = (program &* 2_654_435_761) ^ (server &* 40503) ^ protocolNumber
            return 32768 + h % 28000
        }
    }

    func pickCall(isTCP: Bool) -> PortmapCall {
        let program = Self.knownPrograms[rng.below(Self.knownPrograms.count)]
        var call = PortmapCall(
            xid: UInt32(truncatingIfNeeded: rng.next()), proc: 3, program: program.0, version: program.1,
            protocolNumber: rng.chance(0.5) ? 6 : 17, port: 0, callitProc: UInt32(rng.inRange(1...5)),
            callitArgBytes: rng.inRange(4...40), unixCredentials: rng.chance(0.35), badDumpPort: false)
        let roll = rng.below(100)
        switch roll {
        case 0..<8: call.proc = 0
        case 8..<20: call.proc = 1
        case 20..<27: call.proc = 2
        case 27..<72: call.proc = 3
        case 72..<88: call.proc = 4
        default: call.proc = 5
        }
        if call.proc == 1 || call.proc == 2 {
            call.port = UInt32(rng.inRange(600...60_000))
            if call.proc == 1 && rng.chance(0.12) {
                call.port = 65_536 + UInt32(rng.below(1 << 24))  // bad_pm_port on TCP
                summary.anomalies += 1
            }
        }
        if call.proc == 4 && rng.chance(0.12) {
            call.badDumpPort = true
            summary.anomalies += 1
        }
        if rng.chance(0.03) {
            call.proc = UInt32(rng.inRange(6...15))  // no such procedure
            summary.anomalies += 1
        }
        return call
    }

    /// Writes the call message (no record mark).
    func writeCall(_ call: PortmapCall, into w: inout XDRWriter) {
        w.word(call.xid)
        w.word(0)  // CALL
        w.word(2)  // RPC version
        w.word(100_000)
        w.word(2)
        w.word(call.proc)
        if call.unixCredentials {
            w.word(1)  // AUTH_UNIX
            let lengthOffset = w.count
            w.word(0)
            let bodyStart = w.count
            w.word(UInt32(truncatingIfNeeded: clock / 1_000_000))  // stamp
            w.string(Self.machineNames[rng.below(Self.machineNames.count)])
            let uid = UInt32(rng.chance(0.3) ? 0 : rng.inRange(500...5000))
            w.word(uid)
            w.word(uid == 0 ? 0 : 100)
            let groups = rng.below(3)
            w.word(UInt32(groups))
            for _ in 0..<groups { w.word(UInt32(rng.inRange(1...2000))) }
            w.patch(UInt32(w.count - bodyStart), at: lengthOffset)
        } else {
            w.word(0)
            w.word(0)
        }
        w.word(0)  // verifier AUTH_NULL
        w.word(0)
        switch call.proc {
        case 0, 4: break
        case 1, 2, 3:
            w.word(call.program)
            w.word(call.version)
            w.word(call.protocolNumber)
            w.word(call.port)
        case 5:
            w.word(call.program)
            w.word(call.version)
            w.word(call.callitProc)
            var r = rng
            w.opaque(length: call.callitArgBytes) { _ in UInt8(truncatingIfNeeded: r.next()) }
            rng = r
        default:
            // Arguments of a procedure that does not exist: some junk words.
            for _ in 0..<rng.inRange(0...4) { w.word(UInt32(truncatingIfNeeded: rng.next())) }
        }
    }

    /// Writes the reply to `call` with `acceptStat` (0 SUCCESS, 3 PROC_UNAVAIL, 4 GARBAGE_ARGS).
    func writeReply(_ call: PortmapCall, acceptStat: UInt32, server: UInt32, into w: inout XDRWriter) {
        w.word(call.xid)
        w.word(1)  // REPLY
        w.word(0)  // MSG_ACCEPTED
        w.word(0)  // verifier AUTH_NULL
        w.word(0)
        w.word(acceptStat)
        guard acceptStat == 0 else { return }
        switch call.proc {
        case 1, 2:
            w.word(rng.chance(0.9) ? 1 : 0)
        case 3:
            let known = rng.chance(0.85)
            w.word(known ? registeredPort(program: call.program, protocolNumber: call.protocolNumber, server: server) : 0)
        case 4:
            w.word(1); w.word(100_000); w.word(2); w.word(6); w.word(111)
            w.word(1); w.word(100_000); w.word(2); w.word(17); w.word(111)
            let extra = rng.inRange(2...9)
            let badIndex = call.badDumpPort ? rng.below(extra) : -1
            for i in 0..<extra {
                let program = Self.knownPrograms[rng.below(Self.knownPrograms.count)]
                let proto: UInt32 = rng.chance(0.5) ? 6 : 17
                w.word(1)
                w.word(program.0)
                w.word(program.1)
                w.word(proto)
                w.word(i == badIndex
                    ? 65_536 + UInt32(rng.below(1 << 28))
                    : registeredPort(program: program.0, protocolNumber: proto, server: server))
            }
            w.word(0)
        case 5:
            w.word(registeredPort(program: call.program, protocolNumber: 17, server: server))
            var r = rng
            w.opaque(length: rng.inRange(4...64)) { _ in UInt8(truncatingIfNeeded: r.next()) }
            rng = r
        default:
            break
        }
    }

    /// How the server answers: nil = no answer (the call times out).
    func replyStatus(for call: PortmapCall) -> UInt32? {
        if call.proc > 5 { return 3 }  // PROC_UNAVAIL
        // CALLIT answers usually come from the forwarded service's port, not 111.
        if call.proc == 5 && rng.chance(0.7) { return nil }
        if rng.chance(0.04) {
            summary.anomalies += 1
            return nil
        }
        if rng.chance(0.03) {
            summary.anomalies += 1
            return 4  // GARBAGE_ARGS
        }
        return 0
    }

    // Port-111 flows are never 802.1Q-tagged: the reference's filter `port 111` does
    // not match tagged frames, so tagged dialogues would be invisible to a replay
    // and would not count towards `rpcShare` as a BPF filter measures it.

    /// A UDP client asking the portmapper a few questions from one socket.
    func udpPortmapEpisode() throws(CorpusSynthError) {
        var flow = makeFlow(ipProtocol: SynthFlow.udp, serverPort: 111, ipv6Share: 0.1, vlanShare: 0)
        let server = flow.server.ipv4
        let rtt = UInt64(rng.inRange(100...20_000))
        for index in 0..<rng.inRange(1...4) {
            if index > 0 { clock += UInt64(rng.inRange(200...400_000)) }
            let call = pickCall(isTCP: false)
            summary.rpcCalls += 1
            var w = XDRWriter(base: scratch, capacity: Self.scratchBytes)
            writeCall(call, into: &w)
            try emit(&flow, fromClient: true, payload: w.bytes)
            if rng.chance(0.04) {
                // The client's retransmission timer fires: the same datagram again.
                summary.anomalies += 1
                clock += rtt * 4
                try emit(&flow, fromClient: true, payload: w.bytes)
            }
            clock += rtt
            if let status = replyStatus(for: call) {
                var r = XDRWriter(base: scratch, capacity: Self.scratchBytes)
                writeReply(call, acceptStat: status, server: server, into: &r)
                try emit(&flow, fromClient: false, payload: r.bytes)
            }
            if rng.chance(0.03) {
                // A reply nobody asked for (after a call, so the flow's roles are settled).
                summary.anomalies += 1
                var stray = call
                stray.xid = UInt32(truncatingIfNeeded: rng.next())
                stray.proc = 3
                var r = XDRWriter(base: scratch, capacity: Self.scratchBytes)
                writeReply(stray, acceptStat: 0, server: server, into: &r)
                clock += rtt
                try emit(&flow, fromClient: false, payload: r.bytes)
            }
        }
    }

    /// A TCP connection to port 111 carrying record-marked calls and replies.
    func tcpPortmapEpisode() throws(CorpusSynthError) {
        var flow = makeFlow(ipProtocol: SynthFlow.tcp, serverPort: 111, ipv6Share: 0.1, vlanShare: 0)
        let server = flow.server.ipv4
        let rtt = UInt64(rng.inRange(100...20_000))
        try tcpHandshake(&flow, rtt: rtt)
        var serverSentData = false
        for index in 0..<rng.inRange(1...4) {
            let call = pickCall(isTCP: true)
            summary.rpcCalls += 1
            // The reader only picks up a stream whose first segment holds a whole
            // record start, so only later records are split.
            try sendRecord(&flow, fromClient: true, maySplit: index > 0) { w in writeCall(call, into: &w) }
            clock += rtt
            if let status = replyStatus(for: call) {
                try sendRecord(&flow, fromClient: false, maySplit: serverSentData) { w in
                    writeReply(call, acceptStat: status, server: server, into: &w)
                }
                serverSentData = true
            } else {
                try tcpSend(&flow, fromClient: false, flags: TCPFlag.ack, payload: UnsafeRawBufferPointer(start: nil, count: 0))
            }
            if rng.chance(0.03) {
                summary.anomalies += 1
                var stray = call
                stray.xid = UInt32(truncatingIfNeeded: rng.next())
                stray.proc = 0
                try sendRecord(&flow, fromClient: false, maySplit: false) { w in
                    writeReply(stray, acceptStat: 0, server: server, into: &w)
                }
                serverSentData = true
            }
            clock += UInt64(rng.inRange(100...50_000))
        }
        try tcpClose(&flow, rtt: rtt)
    }

    /// Sends one record (last-fragment mark + message) in one segment, or in two with
    /// the split inside the record mark; sometimes retransmits the (first) segment.
    func sendRecord(
        _ flow: inout SynthFlow, fromClient: Bool, maySplit: Bool, _ body: (inout XDRWriter) -> Void
    ) throws(CorpusSynthError) {
        var w = XDRWriter(base: scratch, capacity: Self.scratchBytes)
        w.word(0)
        body(&w)
        w.patch(0x8000_0000 | UInt32(w.count - 4), at: 0)
        let record = w.bytes
        let split = maySplit && rng.chance(0.2) ? rng.inRange(1...3) : record.count
        if split < record.count { summary.anomalies += 1 }
        let first = UnsafeRawBufferPointer(rebasing: record[0..<split])
        let seq = fromClient ? flow.clientSeq : flow.serverSeq
        try tcpSend(&flow, fromClient: fromClient, flags: TCPFlag.ack | TCPFlag.psh, payload: first)
        if rng.chance(0.03) {
            summary.anomalies += 1
            clock += UInt64(rng.inRange(200_000...1_000_000))
            let ack = fromClient ? flow.serverSeq : flow.clientSeq
            try emit(&flow, fromClient: fromClient, flags: TCPFlag.ack | TCPFlag.psh, seq: seq, ack: ack, payload: first)
        }
        if split < record.count {
            clock += UInt64(rng.inRange(20...2000))
            try tcpSend(&flow, fromClient: fromClient, flags: TCPFlag.ack | TCPFlag.psh,
                        payload: UnsafeRawBufferPointer(rebasing: record[split...]))
        }
    }
}
