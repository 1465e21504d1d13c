import PacketDecoding

extension ConnectionTracker {
    /// TCP intake: the connection compressor (SEMANTICS-CONN §2.4), reuse (§2.5),
    /// then the TCP analyzer of the full connection.
    mutating func processTCP(_ seg: TransportSegment) {
        let t = seg.time.seconds
        expirePending(at: t)
        // The one header check the compressor makes itself.
        if seg.tcpHeaderLength > seg.length {
            ctx.out.append(.weird(ConnectionWeird(
                name: .standard(.truncatedHeader), scope: .net, time: ctx.networkTime)))
            return
        }
        compressorRecordCache = nil
        let key = FlowKey(source: seg.source, sourcePort: seg.sourcePort, destination: seg.destination,
                          destinationPort: seg.destinationPort, transport: .tcp)
        switch tcpTable[key] {
        case .connection(let slot)?:
            if isReuse(slot, seg) {
                conns[Int(slot)].event(.reused, &ctx)
                removeConnection(slot, reason: .reuse)
                let fresh = instantiate(from: seg, key: key)
                deliverTCP(seg, to: fresh)
            } else {
                deliverTCP(seg, to: slot)
            }
        case .pending(let pid)?:
            let p = compressor[pid]
            // Initial SYN+FIN / SYN+RST held longer than the close/reset delay.
            if (p.flags.contains(.fin) && p.time + ctx.config.tcpCloseDelay < t)
                || (p.flags.contains(.rst) && p.time + ctx.config.tcpResetDelay < t) {
                let state: TCPEndpointState = p.flags.contains(.fin) ? .closed : .reset
                let size = Int64(seg.length - seg.tcpHeaderLength)
                compressorEvent(pid, at: 0, .partialClose, origState: state, origSize: size)
                compressorRemoved(pid, at: 0, reason: p.flags.contains(.fin) ? .pendingFinished : .pendingReset,
                                  origState: state, origSize: size)
                removePending(pid)
                firstFromOriginator(seg, key: key)
            } else if seg.source == p.source && seg.sourcePort == p.sourcePort {
                nextFromOriginator(pid, seg)
            } else {
                // The first reply: build the full connection, then let it see the reply.
                let slot = instantiate(pending: pid)
                deliverTCP(seg, to: slot)
            }
        case nil:
            firstFromOriginator(seg, key: key)
        }
    }

    /// Compressor expiry for a TCP packet that reached connection lookup in
    /// another shard (the reference runs it on every TCP packet).
    public mutating func expirePendingSYNs(at time: PacketTime, into out: ConnectionOutputBuffer) {
        ctx.use(out)
        expirePending(at: time.seconds)
    }

    /// Passes a packet to a full connection's TCP analyzer.
    mutating func deliverTCP(_ seg: TransportSegment, to slot: Int32) {
        let i = Int(slot)
        let isOrig = seg.source == conns[i].id.originator && seg.sourcePort == conns[i].id.originatorPort
        conns[i].tcpDeliverPacket(seg, isOrig: isOrig, verifyChecksum: true, &ctx)
    }

    // MARK: - Compressor

    /// `DoExpire`: report pending SYNs older than `tcp_SYN_timeout`, in creation
    /// order, stopping at the first one still recent. `t == 0` expires all.
    mutating func expirePending(at t: Double) {
        while compressor.head < compressor.entries.count {
            let pid = compressor.base + compressor.head
            let p = compressor[pid]
            if t != 0 && p.time + ctx.config.tcpSYNTimeout > t { break }
            ctx.note(.pendingPassed(packetSequence: p.packetSequence))
            if !p.invalid {
                compressorRecordCache = nil
                if case .pending(let current)? = tcpTable[p.key], current == pid {
                    tcpTable[p.key] = nil
                    orderRemove(p.key)
                }
                compressorEvent(pid, at: 0, .attempt, origState: .synSent, origSize: 0)
                compressorRemoved(pid, at: 0, reason: t == 0 ? .endOfTrace : .pendingExpired,
                                  origState: .synSent, origSize: 0)
                compressor.invalidate(pid)
            }
            compressor.head += 1
        }
        compressor.compact()
        statistics.pendingSYNs = compressor.validCount
    }

    /// The first packet of a new key.
    mutating func firstFromOriginator(_ seg: TransportSegment, key: FlowKey) {
        // cc_handle_only_syns: anything but a SYN builds the full connection now.
        guard seg.tcpFlags.contains(.syn) else {
            let slot = instantiate(from: seg, key: key)
            deliverTCP(seg, to: slot)
            return
        }
        let pid = compressor.append(PendingSYN(
            key: key, source: seg.source, sourcePort: seg.sourcePort,
            destination: seg.destination, destinationPort: seg.destinationPort,
            time: seg.time.seconds, packetSequence: seg.packetSequence, seq: seg.tcpSequence,
            ack: seg.tcpAcknowledgment, window: seg.tcpWindow,
            flags: seg.tcpFlags.intersection([.syn, .fin, .rst, .ack])))
        ctx.note(.pendingAppended(packetSequence: seg.packetSequence, time: seg.time.seconds))
        statistics.pendingSYNsCreated += 1
        statistics.pendingSYNs = compressor.validCount
        if parseTCPOptions(seg.bytes, headerLength: seg.tcpHeaderLength).corrupt {
            ctx.out.append(.weird(ConnectionWeird(
                name: .standard(.corruptTCPOptions),
                scope: .flow(source: seg.source, destination: seg.destination), time: ctx.networkTime)))
        }
        tcpTable[key] = .pending(pid)
        orderInsert(key)
        // The compressor mimics the TCP analyzer's SYN weirds.
        let t = seg.time.seconds
        if seg.tcpFlags.contains(.rst) { compressorWeird(pid, at: t, .tcpChristmas) }
        if seg.tcpFlags.contains(.urg) { compressorWeird(pid, at: t, .baroqueSYN) }
        if seg.length - seg.tcpHeaderLength > 0 { compressorWeird(pid, at: t, .synWithData) }
    }

    /// Another packet from the pending originator before any reply.
    mutating func nextFromOriginator(_ pid: Int, _ seg: TransportSegment) {
        let t = seg.time.seconds
        if parseTCPOptions(seg.bytes, headerLength: seg.tcpHeaderLength).corrupt {
            compressorWeird(pid, at: t, .corruptTCPOptions)
        }
        var p = compressor[pid]
        let flags = seg.tcpFlags
        if flags.contains(.syn) { p.seq = seg.tcpSequence }
        compressor[pid] = p
        // TCP_Endpoint::Size() as the compressor mimics it.
        var size = Int64(Int32(bitPattern: seg.tcpSequence &- p.seq))
        if size != 0 { size -= 1 }
        if size != 0 && (p.flags.contains(.fin) || flags.contains(.fin)) { size -= 1 }
        if size < 0 { size = 0 }

        if flags.contains(.rst) {
            compressorEvent(pid, at: t, .reset, origState: .reset, origSize: size)
            compressorRemoved(pid, at: t, reason: .pendingReset, origState: .reset, origSize: size)
            removePending(pid)
        } else if flags.contains(.fin) {
            compressorEvent(pid, at: t, .partialClose, origState: .closed, origSize: size)
            compressorRemoved(pid, at: t, reason: .pendingFinished, origState: .closed, origSize: size)
            removePending(pid)
        } else if flags.contains(.syn) {
            if flags.contains(.ack) && !p.flags.contains(.ack) {
                compressorWeird(pid, at: t, .repeatedSYNWithAck)
            } else if !flags.contains(.ack) {
                // A retransmitted SYN restarts the pending connection: its start
                // time becomes this SYN's and it expires/drains in that order.
                restartPending(pid, at: t, packetSequence: seg.packetSequence)
            }
        }
        // Pure data/ACK while pending is discarded (cc_instantiate_on_data = F).
    }

    /// Moves a pending entry to the end of the creation order with a new time.
    mutating func restartPending(_ pid: Int, at t: Double, packetSequence: UInt64) {
        var p = compressor[pid]
        compressor.invalidate(pid)
        p.time = t
        p.packetSequence = packetSequence
        p.invalid = false
        let fresh = compressor.append(p)
        ctx.note(.pendingAppended(packetSequence: packetSequence, time: t))
        tcpTable[p.key] = .pending(fresh)
    }

    /// `Invalidate`/`Remove` of a pending entry: gone from the table and the list.
    mutating func removePending(_ pid: Int) {
        let key = compressor[pid].key
        if case .pending(let current)? = tcpTable[key], current == pid {
            tcpTable[key] = nil
            orderRemove(key)
        }
        compressor.invalidate(pid)
        statistics.pendingSYNs = compressor.validCount
    }

    /// Builds the full connection for a pending SYN whose reply arrived, feeding
    /// the TCP analyzer a synthesized copy of the SYN (no options, valid checksum).
    mutating func instantiate(pending pid: Int) -> Int32 {
        let p = compressor[pid]
        compressor.invalidate(pid)
        statistics.pendingSYNs = compressor.validCount
        let flip = p.flipsRoles
        let slot = newTCPConnection(
            key: p.key, source: p.source, sourcePort: p.sourcePort,
            destination: p.destination, destinationPort: p.destinationPort,
            flip: flip, startTime: p.time)
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 4) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            var synth = TransportSegment(
                source: p.source, destination: p.destination, sourcePort: p.sourcePort,
                destinationPort: p.destinationPort, proto: .tcp, time: PacketTime(seconds: p.time),
                packetSequence: 0, length: 20, capturedLength: 20, bytes: UnsafeRawBufferPointer(raw))
            synth.tcpSequence = p.seq
            synth.tcpAcknowledgment = p.ack
            synth.tcpFlags = p.flags
            synth.tcpWindow = p.window
            synth.tcpDataOffset = 5
            // `Connection::NextPacket` runs the synthesized SYN with the pending
            // time as the current timestamp (last_time, attempt timer).
            let replyTime = ctx.packetTime
            ctx.packetTime = p.time
            conns[Int(slot)].tcpDeliverPacket(synth, isOrig: !flip, verifyChecksum: false, &ctx)
            ctx.packetTime = replyTime
        }
        // The key moves from the pending entry to the connection: removed and
        // inserted again, which puts it at the end of its hash chain.
        orderRemove(p.key)
        tcpTable[p.key] = .connection(slot)
        orderInsert(p.key)
        return slot
    }

    /// Builds the full connection directly from a packet (no SYN, or a reuse).
    mutating func instantiate(from seg: TransportSegment, key: FlowKey) -> Int32 {
        let flip = tcpFlipsRoles(sourcePort: seg.sourcePort, destinationPort: seg.destinationPort,
                                 flags: seg.tcpFlags)
        let slot = newTCPConnection(
            key: key, source: seg.source, sourcePort: seg.sourcePort,
            destination: seg.destination, destinationPort: seg.destinationPort,
            flip: flip, startTime: seg.time.seconds)
        tcpTable[key] = .connection(slot)
        orderInsert(key)
        return slot
    }

    /// `NewConn` for TCP: the connection plus its analyzer tree. A flipped
    /// connection gets the true endpoints with swapped roles (the reference's
    /// flip read a dead stack copy; see SEMANTICS-CONN §2.2).
    mutating func newTCPConnection(
        key: FlowKey, source: IPv4Address, sourcePort: UInt16,
        destination: IPv4Address, destinationPort: UInt16, flip: Bool, startTime: Double
    ) -> Int32 {
        let id = flip
            ? ConnectionID(originator: destination, originatorPort: destinationPort,
                           responder: source, responderPort: sourcePort, proto: .tcp)
            : ConnectionID(originator: source, originatorPort: sourcePort,
                           responder: destination, responderPort: destinationPort, proto: .tcp)
        let slot = newConnection(key: key, id: id, startTime: startTime)
        let i = Int(slot)
        // TCP analyzer constructor: the expire timer at network time + tcp_SYN_timeout.
        conns[i].addAnalyzerTimer(.tcpExpire, at: ctx.networkTime + ctx.config.tcpSYNTimeout, &ctx)
        // The PORTMAPPER analyzer (and with it stream reassembly) by responder port.
        if id.responderPort == ctx.config.rpcPort {
            conns[i].hasRPC = true
            conns[i].tcp.reassembling = true
        }
        statistics.tcpConnectionsCreated += 1
        announce(slot)
        return slot
    }

    /// `TCP_Analyzer::IsReuse`: a SYN that starts a new connection on this key.
    /// Raises the reuse weirds on the old connection.
    mutating func isReuse(_ slot: Int32, _ seg: TransportSegment) -> Bool {
        let i = Int(slot)
        guard seg.tcpDataOffset >= 5 else { return false }
        let flags = seg.tcpFlags
        guard flags.contains(.syn) else { return false }
        var connOrigIsResp = false
        if flags.contains(.ack) {
            // Reuse on a SYN+ACK only for half connections.
            guard conns[i].tcp.orig.state == .inactive else { return false }
            connOrigIsResp = true
        }
        let tcp = conns[i].tcp
        let connOrig = connOrigIsResp ? tcp.resp : tcp.orig
        if !tcp.isClosed {
            let base = seg.tcpSequence
            if base == connOrig.startSeq { return false }
            if !flags.contains(.ack) && connOrig.state == .synAckSent && tcp.resp.state == .inactive
                && base == tcp.resp.startSeq {
                // SYN and SYN+ACK seen swapped: not a reuse.
                return false
            }
            conns[i].weird(connOrig.state == .synSent ? .synSeqJump : .activeConnectionReuse, &ctx)
        } else if (tcp.orig.isActive || tcp.resp.isActive)
                    && tcp.orig.state != .reset && tcp.resp.state != .reset {
            conns[i].weird(.activeConnectionReuse, &ctx)
        } else if seg.time.seconds - conns[i].lastTime < ctx.config.tcpConnectionLinger
                    && tcp.orig.state != .reset && tcp.resp.state != .reset {
            conns[i].weird(.prematureConnectionReuse, &ctx)
        }
        return true
    }
}
