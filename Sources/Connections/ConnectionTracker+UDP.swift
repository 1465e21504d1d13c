import PacketDecoding

extension ConnectionTracker {
    /// UDP intake (SEMANTICS-CONN §2.3): lookup or creation, then the UDP analyzer.
    mutating func processUDP(_ seg: TransportSegment) {
        let key = FlowKey(source: seg.source, sourcePort: seg.sourcePort, destination: seg.destination,
                          destinationPort: seg.destinationPort, transport: .udp)
        let slot = udpTable[key] ?? createUDPConnection(seg, key: key)
        let i = Int(slot)
        let isOrig = !conns[i].countsAllAsResponder
            && seg.source == conns[i].id.originator && seg.sourcePort == conns[i].id.originatorPort
        conns[i].udpDeliverPacket(seg, isOrig: isOrig, &ctx)
    }

    /// A new UDP connection from its first packet (even if its checksum is bad).
    mutating func createUDPConnection(_ seg: TransportSegment, key: FlowKey) -> Int32 {
        // Role flip: an unsolicited packet from a likely server port.
        let flip = LikelyServerPorts.contains(seg.sourcePort, .udp)
            && !LikelyServerPorts.contains(seg.destinationPort, .udp)
        let id = flip
            ? ConnectionID(originator: seg.destination, originatorPort: seg.destinationPort,
                           responder: seg.source, responderPort: seg.sourcePort, proto: .udp)
            : ConnectionID(originator: seg.source, originatorPort: seg.sourcePort,
                           responder: seg.destination, responderPort: seg.destinationPort, proto: .udp)
        let slot = newConnection(key: key, id: id, startTime: seg.time.seconds)
        let i = Int(slot)
        // The reference built flipped flows from a dead stack copy: garbage
        // endpoints, so no RPC analyzer and every packet counted as responder
        // traffic. The true endpoints are kept here; the rest is reproduced.
        conns[i].countsAllAsResponder = flip
        conns[i].hasRPC = !flip && id.responderPort == ctx.config.rpcPort
        // Analyzer tree construction order: UDP analyzer (inactivity timer),
        // then the RPC analyzer (expiry at network time + rpc_timeout).
        conns[i].setInactivityTimeout(ctx.config.udpInactivityTimeout, &ctx)
        if conns[i].hasRPC {
            conns[i].addConnectionTimer(.rpcExpiry, at: ctx.networkTime + ctx.config.rpcTimeout, &ctx)
        }
        udpTable[key] = slot
        orderInsert(key)
        statistics.udpConnectionsCreated += 1
        announce(slot)
        return slot
    }
}

extension Connection {
    /// The UDP analyzer's `DeliverPacket`.
    mutating func udpDeliverPacket(_ seg: TransportSegment, isOrig: Bool, _ ctx: inout TrackerContext) {
        if ctx.config.checksumsEnabled && seg.isFullyCaptured && seg.udpChecksum != 0
            && !transportChecksumIsValid(source: seg.source, destination: seg.destination, proto: .udp,
                                         length: seg.length, bytes: seg.bytes) {
            weird(.badUDPChecksum, &ctx)
            return
        }
        let ulen = Int(seg.udpLength)
        if ulen != seg.length {
            weird(.udpDatagramLengthMismatch(udpLength: ulen, ipLength: seg.length), &ctx)
        }
        lastTime = ctx.packetTime
        // Byte counts come from the UDP length field; a field below 8 makes the
        // reference's signed counter negative, which reads as "no activity".
        let payloadLength = Int64(ulen - 8)
        if isOrig {
            requestLength = requestLength < 0 ? payloadLength : requestLength + payloadLength
        } else {
            replyLength = replyLength < 0 ? payloadLength : replyLength + payloadLength
        }
        if seg.isFullyCaptured && hasRPC {
            let payload = seg.payload(afterHeader: 8)
            ctx.out.append(.udpPayload(PayloadRecord(
                slot: connectionSlot, isOriginator: isOrig, bytes: .packet(payload), time: ctx.networkTime)))
        }
    }
}
