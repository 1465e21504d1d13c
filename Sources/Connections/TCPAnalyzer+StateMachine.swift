import PacketDecoding

extension Connection {
    /// `TCP_Endpoint::SetState`: leaving the handshake arms the inactivity timer.
    mutating func setState(isOrig: Bool, _ newState: TCPEndpointState, _ ctx: inout TrackerContext) {
        let old = tcp[isOrig].state
        guard newState != old else { return }
        if !newState.isHandshake && old.isHandshake && tcp[!isOrig].state.isHandshake {
            setInactivityTimeout(ctx.config.tcpInactivityTimeout, &ctx)
        }
        tcp[isOrig].prevState = old
        tcp[isOrig].state = newState
    }

    /// `ConnectionReset`: the reset event; the analyzer stops being active.
    mutating func connectionReset(_ ctx: inout TrackerContext) {
        event(.reset, &ctx)
        tcp.isActive = false
    }

    /// The endpoint state machine (SEMANTICS-CONN §3.3). Returns whether the
    /// close handling must run and whether it reports an event.
    mutating func updateStateMachine(
        isOrig: Bool, baseSeq: UInt32, ackSeq: UInt32, lastSeq: UInt32,
        len: Int, deltaLast: Int32, flags: TCPFlags, _ ctx: inout TrackerContext
    ) -> (doClose: Bool, genEvent: Bool, flipped: Bool) {
        var doClose = false, genEvent = false, flipped = false
        switch tcp[isOrig].state {
        case .inactive:
            updateInactiveState(isOrig: isOrig, baseSeq: baseSeq, ackSeq: ackSeq, len: len, flags: flags,
                                doClose: &doClose, genEvent: &genEvent, flipped: &flipped, &ctx)
        case .synSent, .synAckSent:
            updateSYNSentState(isOrig: isOrig, baseSeq: baseSeq, lastSeq: lastSeq, len: len, flags: flags,
                               doClose: &doClose, genEvent: &genEvent, &ctx)
        case .established, .partial:
            updateEstablishedState(isOrig: isOrig, baseSeq: baseSeq, lastSeq: lastSeq, flags: flags,
                                   doClose: &doClose, genEvent: &genEvent, &ctx)
        case .closed:
            updateClosedState(isOrig: isOrig, deltaLast: deltaLast, flags: flags, doClose: &doClose, &ctx)
        case .reset:
            if flags.contains(.syn) { weird(.synAfterReset, &ctx) }
            if flags.contains(.fin) { weird(.finAfterReset, &ctx) }
            if len > 0 && !flags.contains(.rst) { weird(.dataAfterReset, &ctx) }
        }
        return (doClose, genEvent, flipped)
    }

    private mutating func updateInactiveState(
        isOrig: Bool, baseSeq: UInt32, ackSeq: UInt32, len: Int, flags: TCPFlags,
        doClose: inout Bool, genEvent: inout Bool, flipped: inout Bool, _ ctx: inout TrackerContext
    ) {
        if flags.contains(.syn) {
            if isOrig {
                if flags.contains(.ack) {
                    weird(.connectionOriginatorSYNAck, &ctx)
                    setState(isOrig: true, .synAckSent, &ctx)
                } else {
                    setState(isOrig: true, .synSent, &ctx)
                }
                addAnalyzerTimer(.tcpAttempt, at: ctx.packetTime + ctx.config.tcpAttemptDelay, &ctx)
            } else {
                let peer = tcp.orig
                if flags.contains(.ack) {
                    if peer.state != .inactive && peer.state != .partial
                        && !seqBetween(ackSeq, peer.startSeq, peer.lastSeq) {
                        weird(.badSYNAck, &ctx)
                    }
                } else if peer.state == .synAckSent && baseSeq == tcp.resp.startSeq {
                    // SYN and SYN+ACK seen in reverse order: swap the roles and
                    // consider the connection established.
                    flipRoles()
                    flipped = true
                    // The former originator (the peer) now sits on the responder side.
                    setState(isOrig: false, .established, &ctx)
                } else {
                    weird(.simultaneousOpen, &ctx)
                }
                // After a flip this side's endpoint sits on the originator side.
                let selfIsOrig = flipped ? !isOrig : isOrig
                if tcp[!selfIsOrig].state == .synSent {
                    setState(isOrig: !selfIsOrig, .established, &ctx)
                } else if tcp[!selfIsOrig].state == .inactive {
                    weird(.unsolicitedSYNResponse, &ctx)
                }
                setState(isOrig: selfIsOrig, .established, &ctx)
                if tcp[!selfIsOrig].state != .partial { event(.established, &ctx) }
                return updateInactiveStateFlagsAfterSYN(isOrig: selfIsOrig, len: len, flags: flags,
                                                        doClose: &doClose, genEvent: &genEvent, &ctx)
            }
        }
        updateInactiveStateFlagsAfterSYN(isOrig: isOrig, len: len, flags: flags,
                                         doClose: &doClose, genEvent: &genEvent, &ctx)
    }

    /// The FIN/RST/no-flag part of `UpdateInactiveState`.
    private mutating func updateInactiveStateFlagsAfterSYN(
        isOrig: Bool, len: Int, flags: TCPFlags,
        doClose: inout Bool, genEvent: inout Bool, _ ctx: inout TrackerContext
    ) {
        if flags.contains(.fin) {
            setState(isOrig: isOrig, .closed, &ctx)
            doClose = true
            genEvent = true
            if tcp[!isOrig].state != .partial && !flags.contains(.syn) { weird(.spontaneousFIN, &ctx) }
        }
        if flags.contains(.rst) {
            setState(isOrig: isOrig, .reset, &ctx)
            var isReject = false
            if isOrig {
                // Peer established but we never saw its SYN: a reverse scan.
                if tcp.resp.state == .established { isReject = true }
            } else if tcp.orig.state == .synSent || tcp.orig.state == .synAckSent {
                // Rejecting an initial SYN.
                isReject = true
            }
            doClose = true
            genEvent = !isReject
            if isReject {
                event(.rejected, &ctx)
            } else if tcp[!isOrig].state == .inactive {
                weird(.spontaneousRST, &ctx)
            }
        }
        if tcp[isOrig].state == .inactive {
            // No control flags changed the state.
            if !isOrig && len == 0 && tcp.orig.state == .synSent {
                // Some stacks ack an initial SYN before replying: not a partial connection.
            } else {
                setState(isOrig: isOrig, .partial, &ctx)
                if tcp[!isOrig].state == .partial { event(.partialConnection, &ctx) }
            }
        }
    }

    private mutating func updateSYNSentState(
        isOrig: Bool, baseSeq: UInt32, lastSeq: UInt32, len: Int, flags: TCPFlags,
        doClose: inout Bool, genEvent: inout Bool, _ ctx: inout TrackerContext
    ) {
        if flags.contains(.syn) {
            if isOrig {
                if flags.contains(.ack) && !flags.contains(.fin) && !flags.contains(.rst)
                    && tcp[isOrig].state != .synAckSent {
                    weird(.repeatedSYNWithAck, &ctx)
                }
            } else if !flags.contains(.ack) && tcp[isOrig].state != .synSent {
                weird(.repeatedSYNReplyWithoutAck, &ctx)
            }
            if baseSeq != tcp[isOrig].startSeq {
                weird(.synSeqJump, &ctx)
                tcp[isOrig].startSeq = baseSeq
                tcp[isOrig].ackSeq = baseSeq
                tcp[isOrig].lastSeq = lastSeq
            }
        }
        if flags.contains(.fin) {
            let peer = tcp[!isOrig].state
            if peer == .inactive || peer == .synSent { weird(.inappropriateFIN, &ctx) }
            setState(isOrig: isOrig, .closed, &ctx)
            doClose = true
            genEvent = true
        }
        if flags.contains(.rst) {
            setState(isOrig: isOrig, .reset, &ctx)
            connectionReset(&ctx)
            doClose = true
        } else if len > 0 {
            weird(.dataBeforeEstablished, &ctx)
        }
    }

    private mutating func updateEstablishedState(
        isOrig: Bool, baseSeq: UInt32, lastSeq: UInt32, flags: TCPFlags,
        doClose: inout Bool, genEvent: inout Bool, _ ctx: inout TrackerContext
    ) {
        if flags.contains(.syn) {
            if tcp[isOrig].state == .partial && tcp[!isOrig].state == .inactive && !flags.contains(.ack) {
                weird(.synAfterPartial, &ctx)
                setState(isOrig: isOrig, .synSent, &ctx)
            }
            if tcp[isOrig].size > 0 { weird(.synInsideConnection, &ctx) }
            if baseSeq != tcp[isOrig].startSeq { weird(.synSeqJump, &ctx) }
            // Guess that this SYN is the one that really sets the connection up.
            tcp[isOrig].startSeq = baseSeq
            tcp[isOrig].ackSeq = baseSeq
            tcp[isOrig].lastSeq = lastSeq
        }
        if flags.contains(.fin) && !flags.contains(.rst) {
            setState(isOrig: isOrig, .closed, &ctx)
            // A peer FIN followed by RST was a normal termination after all.
            if tcp[!isOrig].state == .reset && tcp[!isOrig].prevState == .closed {
                setState(isOrig: !isOrig, .closed, &ctx)
            }
            doClose = true
            genEvent = true
        }
        if flags.contains(.rst) {
            setState(isOrig: isOrig, .reset, &ctx)
            doClose = true
            if tcp[!isOrig].state != .reset || tcp[!isOrig].prevState != .established {
                connectionReset(&ctx)
            }
        }
    }

    private mutating func updateClosedState(
        isOrig: Bool, deltaLast: Int32, flags: TCPFlags, doClose: inout Bool, _ ctx: inout TrackerContext
    ) {
        if flags.contains(.syn) { weird(.synAfterClose, &ctx) }
        if flags.contains(.fin) && deltaLast > 0 { weird(.finAdvancedLastSeq, &ctx) }
        // After a FIN exchange a RST does not change the state.
        if flags.contains(.rst) && tcp[!isOrig].state != .closed {
            setState(isOrig: isOrig, .reset, &ctx)
            if !tcp[isOrig].didClose { doClose = true }  // RST after FIN
            addAnalyzerTimer(.tcpReset, at: ctx.packetTime + ctx.config.tcpResetDelay, &ctx)
        }
    }

    /// SYN/SYN-ACK reversal: the endpoints swap roles (`FlipRoles`).
    mutating func flipRoles() {
        swap(&tcp.orig, &tcp.resp)
        id = ConnectionID(originator: id.responder, originatorPort: id.responderPort,
                          responder: id.originator, responderPort: id.originatorPort, proto: id.proto)
    }
}

/// `seq_between(seq, low, high)` with wrap-around.
@inlinable func seqBetween(_ seq: UInt32, _ low: UInt32, _ high: UInt32) -> Bool {
    low <= high ? (seq >= low && seq <= high) : (seq >= low || seq <= high)
}
