import PacketDecoding

/// Wrap-aware difference of two sequence numbers (`seq_delta`).
@inlinable func seqDelta(_ a: UInt32, _ b: UInt32) -> Int32 { Int32(bitPattern: a &- b) }

/// `TOO_LARGE_SEQ_DELTA`: SYN/RST sequence jumps beyond this are not trusted.
let tooLargeSeqDelta: Int32 = 1_048_576

extension Connection {
    /// The TCP analyzer's `DeliverPacket` (SEMANTICS-CONN §3.2).
    ///
    /// - Parameter verifyChecksum: false only for the compressor's synthesized
    ///   SYN, whose checksum is valid by construction.
    mutating func tcpDeliverPacket(
        _ seg: TransportSegment, isOrig: Bool, verifyChecksum: Bool, _ ctx: inout TrackerContext
    ) {
        let headerLength = seg.tcpHeaderLength
        if headerLength < 20 {
            weird(.badTCPHeaderLength, &ctx)
            return
        }
        if headerLength > seg.length || seg.capturedLength < 20 {
            weird(.truncatedHeader, &ctx)
            return
        }
        let len = seg.length - headerLength
        let caplen = seg.capturedLength - headerLength
        if verifyChecksum && ctx.config.checksumsEnabled && caplen >= len
            && !transportChecksumIsValid(source: seg.source, destination: seg.destination, proto: .tcp,
                                         length: seg.length, bytes: seg.bytes) {
            weird(.badTCPChecksum, &ctx)
            return
        }

        let flags = seg.tcpFlags
        let baseSeq = seg.tcpSequence
        let ackSeq = seg.tcpAcknowledgment

        checkFlagCombos(flags, isOrig: isOrig)
        updateWindow(isOrig: isOrig, window: seg.tcpWindow, baseSeq: baseSeq, ackSeq: ackSeq, flags: flags, &ctx)

        let t = ctx.packetTime
        // After both sides closed, stragglers no longer extend the duration.
        if !tcp.orig.didClose || !tcp.resp.didClose { lastTime = t }

        var seqLen = len
        processFlags(t, seg, headerLength: headerLength, len: len, seqLen: &seqLen, isOrig: isOrig,
                     baseSeq: baseSeq, ackSeq: ackSeq, flags: flags, &ctx)

        let lastSeq = baseSeq &+ UInt32(truncatingIfNeeded: seqLen)
        if tcp[isOrig].state == .inactive {
            transitionFromInactive(isOrig: isOrig, baseSeq: baseSeq, lastSeq: lastSeq, syn: flags.contains(.syn))
        }
        let deltaLast = updateLastSeq(isOrig: isOrig, lastSeq: lastSeq, flags: flags)
        tcp[isOrig].lastTime = t

        let (doClose, genEvent, flipped) = updateStateMachine(
            isOrig: isOrig, baseSeq: baseSeq, ackSeq: ackSeq, lastSeq: lastSeq,
            len: len, deltaLast: deltaLast, flags: flags, &ctx)
        // A SYN/SYN-ACK reversal swapped the endpoints: from here on this
        // packet's endpoint is addressed by its new role.
        let me = flipped ? !isOrig : isOrig

        if len > 0 && caplen >= len && !flags.contains(.rst) {
            var dataSeq = Int64(seqDelta(baseSeq, tcp[me].startSeq))
            if flags.contains(.syn) { dataSeq += 1 }  // skip the SYN octet
            if tcp.reassembling && headerLength + len <= seg.bytes.count {
                let payload = UnsafeRawBufferPointer(rebasing: seg.bytes[headerLength ..< headerLength + len])
                dataSent(isOrig: me, seq: dataSeq, data: payload, &ctx)
            }
        }

        checkEOF(isOrig: me, &ctx)

        // After the data, so a FIN's payload is processed before the close.
        if doClose { connectionClosed(isOrig: me, genEvent: genEvent, &ctx) }

        tcp.firstPacketSeen |= isOrig ? 1 : 2
    }

    /// The part of `CheckFlagCombos` that matters: whether the connection is partial.
    mutating func checkFlagCombos(_ flags: TCPFlags, isOrig: Bool) {
        if isOrig && tcp.firstPacketSeen & 1 == 0 {
            tcp.isPartial = !flags.contains(.syn) || flags.contains(.ack)
        }
        if !isOrig && tcp.firstPacketSeen & 2 == 0 && !tcp.isPartial {
            tcp.isPartial = !flags.contains(.syn)
        }
    }

    /// Window bookkeeping and `window_recision`.
    mutating func updateWindow(
        isOrig: Bool, window: UInt16, baseSeq: UInt32, ackSeq: UInt32, flags: TCPFlags,
        _ ctx: inout TrackerContext
    ) {
        // Scalars only: binding the endpoint would copy it (and retain its block list).
        let scale = tcp[isOrig].windowScale
        let e = (windowSeq: tcp[isOrig].windowSeq, windowAckSeq: tcp[isOrig].windowAckSeq,
                 window: tcp[isOrig].window, state: tcp[isOrig].state)
        let scaled = UInt32(window) << UInt32(scale & 31)
        // Windows on SYNs are not analyzed (they are sometimes rescinded at once).
        guard !flags.contains(.syn) else { return }
        guard seqDelta(baseSeq, e.windowSeq) >= 0 && seqDelta(ackSeq, e.windowAckSeq) >= 0 else { return }
        let newEdge = ackSeq &+ scaled
        let oldEdge = e.windowAckSeq &+ e.window
        let advance = Int64(seqDelta(newEdge, oldEdge))
        if advance < 0 && !flags.contains(.fin) && !flags.contains(.rst)
            && e.state != .closed && e.state != .reset
            && -advance >= Int64(Int32(truncatingIfNeeded: 1 << (scale & 31))) {
            weird(.windowRecision, &ctx)
        }
        tcp[isOrig].window = scaled
        tcp[isOrig].windowAckSeq = ackSeq
        tcp[isOrig].windowSeq = baseSeq
    }

    /// SYN, FIN, RST and ACK processing, in that order (`ProcessFlags`).
    mutating func processFlags(
        _ t: Double, _ seg: TransportSegment, headerLength: Int, len: Int, seqLen: inout Int,
        isOrig: Bool, baseSeq: UInt32, ackSeq: UInt32, flags: TCPFlags, _ ctx: inout TrackerContext
    ) {
        if flags.contains(.syn) {
            seqLen += 1  // SYN consumes a sequence number
            if flags.contains(.rst) { weird(.tcpChristmas, &ctx) }
            if flags.contains(.urg) { weird(.baroqueSYN, &ctx) }
            if len > 0 { weird(.synWithData, &ctx) }
            let scale = synWindowScale(seg.bytes, headerLength: headerLength)
            if scale < 0 {
                tcp[isOrig].windowScale = 0
                if flags.contains(.ack) { tcp[!isOrig].windowScale = 0 }
            } else {
                tcp[isOrig].windowScale = scale
                tcp[isOrig].windowSeq = baseSeq
                tcp[isOrig].windowAckSeq = ackSeq
                tcp[!isOrig].windowSeq = ackSeq
                tcp[!isOrig].windowAckSeq = baseSeq
            }
        }

        if flags.contains(.fin) {
            if tcp[isOrig].finCount == 0 {
                seqLen += 1  // only the first FIN consumes a sequence number
                tcp[isOrig].finCount = 1
            } else if t < tcp[isOrig].lastTime + ctx.config.tcpStormInterarrivalThreshold {
                tcp[isOrig].finCount += 1
                if tcp[isOrig].finCount == ctx.config.tcpStormThreshold { weird(.finStorm, &ctx) }
            }
            // Relative seq just past the FIN (int arithmetic, as the reference).
            let rel = baseSeq &- tcp[isOrig].startSeq &+ UInt32(truncatingIfNeeded: seqLen)
            tcp[isOrig].finSeq = Int64(Int32(bitPattern: rel))
        }

        if flags.contains(.rst) {
            var stormed = false
            if t < tcp[isOrig].lastTime + ctx.config.tcpStormInterarrivalThreshold {
                tcp[isOrig].rstCount += 1
                if tcp[isOrig].rstCount == ctx.config.tcpStormThreshold {
                    weird(.rstStorm, &ctx)
                    stormed = true
                }
            }
            if !stormed && tcp[isOrig].rstCount == 0 { tcp[isOrig].rstCount = 1 }
            // RST payload is not part of the stream.
            if len > 0 { seqLen = 0 }
        }

        if flags.contains(.ack) { processACK(isOrig: isOrig, ackSeq: ackSeq, flags: flags, &ctx) }
    }

    mutating func processACK(isOrig: Bool, ackSeq: UInt32, flags: TCPFlags, _ ctx: inout TrackerContext) {
        let state = tcp[isOrig].state
        if isOrig && !tcp.seenFirstACK && (state == .established || state == .synSent) {
            tcp.seenFirstACK = true
        }
        if tcp[!isOrig].state == .inactive {
            if !flags.contains(.syn) && !flags.contains(.fin) && !flags.contains(.rst)
                && (state == .synSent || state == .synAckSent || state == .established) && !didWeird {
                // We sent a SYN that has not roused the other side, yet we ack its data.
                weird(.possibleSplitRouting, &ctx)
            }
            // Number the silent side as if its SYN had been seen.
            tcp[!isOrig].startSeq = ackSeq &- 1
            tcp[!isOrig].ackSeq = ackSeq &- 1
            tcp[!isOrig].lastSeq = ackSeq &- 1
        } else if !flags.contains(.rst) {
            // ACKs in RSTs are not trusted.
            let deltaAck = seqDelta(ackSeq, tcp[!isOrig].ackSeq)
            if ackSeq == 0 && deltaAck > tooLargeSeqDelta {
                // More likely a broken ack than a connection landing on 0.
            } else if deltaAck > 0 {
                tcp[!isOrig].updateAckSeq(ackSeq)
            }
        }
        if tcp.reassembling {
            let relative = Int64(seqDelta(ackSeq, tcp[!isOrig].startSeq))
            ackReceived(isOrig: !isOrig, seq: relative, &ctx)
        }
    }

    /// First packet of a silent side: set up its sequence numbering.
    mutating func transitionFromInactive(isOrig: Bool, baseSeq: UInt32, lastSeq: UInt32, syn: Bool) {
        // Without a SYN, number as though one had been seen (keeps relative
        // numbering consistent for partial connections).
        let start = syn ? baseSeq : baseSeq &- 1
        tcp[isOrig].ackSeq = start
        tcp[isOrig].startSeq = start
        tcp[isOrig].lastSeq = lastSeq
    }

    /// `UpdateLastSeq`; returns the (signed) advance of last_seq.
    mutating func updateLastSeq(isOrig: Bool, lastSeq: UInt32, flags: TCPFlags) -> Int32 {
        let e = (lastSeq: tcp[isOrig].lastSeq, startSeq: tcp[isOrig].startSeq, state: tcp[isOrig].state)
        let deltaLast = seqDelta(lastSeq, e.lastSeq)
        if (flags.contains(.syn) || flags.contains(.rst))
            && (deltaLast > tooLargeSeqDelta || deltaLast < -tooLargeSeqDelta) {
            // Implausible jump on a SYN/RST: ignored.
        } else if flags.contains(.fin) && e.lastSeq == e.startSeq &+ 1 {
            // Only SYN and FIN seen (> 2 GB connections): trust the FIN.
            tcp[isOrig].updateLastSeq(lastSeq)
        } else if e.state == .reset {
            // No sequence numbers are trusted after a RST.
        } else if deltaLast > 0 {
            tcp[isOrig].updateLastSeq(lastSeq)
        }
        return deltaLast
    }
}
