import PacketDecoding

extension Connection {
    /// `TCP_Analyzer::ConnectionClosed`: a side sent FIN or RST. Deferred while
    /// that side still has data to deliver; otherwise arms the close, partial
    /// close or expire timer.
    mutating func connectionClosed(isOrig: Bool, genEvent: Bool, _ ctx: inout TrackerContext) {
        if dataPending(isOrig: isOrig) {
            // Report the close once delivery caught up (EndpointEOF).
            tcp.closeDeferred = true
            if !tcp.deferredGenEvent { tcp.deferredGenEvent = genEvent }
            return
        }
        tcp.closeDeferred = false
        guard !tcp[isOrig].didClose else { return }  // nothing new to report
        tcp[isOrig].didClose = true

        let e = (state: tcp[isOrig].state, prevState: tcp[isOrig].prevState)
        let peer = (state: tcp[!isOrig].state, didClose: tcp[!isOrig].didClose)
        let closeComplete = e.state == .reset || peer.didClose || peer.state == .inactive
        if closeComplete {
            if e.prevState != .inactive || peer.state != .inactive {
                var gen = genEvent
                if tcp.deferredGenEvent {
                    gen = true
                    tcp.deferredGenEvent = false
                }
                if gen { connectionFinished(halfFinished: peer.state == .inactive, &ctx) }
            }
            cancelAnalyzerTimers()
            addAnalyzerTimer(.tcpClose, at: lastTime + ctx.config.tcpCloseDelay, &ctx)
        } else if e.prevState == .inactive {
            // The first thing seen from this side was its close.
            addAnalyzerTimer(.tcpPartialClose, at: lastTime + ctx.config.tcpPartialCloseDelay, &ctx)
        } else {
            // Wait for the other side to close too.
            addAnalyzerTimer(.tcpExpire, at: lastTime + ctx.config.tcpSessionTimer, &ctx)
        }
    }

    mutating func connectionFinished(halfFinished: Bool, _ ctx: inout TrackerContext) {
        event(halfFinished ? .halfFinished : .finished, &ctx)
        tcp.isActive = false
    }

    /// `CancelTimers` of the TCP analyzer: its pending timers die.
    mutating func cancelAnalyzerTimers() {
        tcp.timerEpoch &+= 1
    }

    /// `TCP_Analyzer::DataPending` for a closing side.
    func dataPending(isOrig: Bool) -> Bool {
        guard tcp.reassembling else { return false }
        return reassemblerDataPending(isOrig: isOrig)
    }

    /// `EndpointEOF`: a side delivered everything after its FIN/RST; a deferred
    /// close is reported now (for this side, as the reference does).
    mutating func endpointEOF(isOrig: Bool, _ ctx: inout TrackerContext) {
        guard tcp.closeDeferred else { return }
        if dataPending(isOrig: isOrig) && tcp.bothClosed { weird(.pendingDataWhenClosed, &ctx) }
        connectionClosed(isOrig: isOrig, genEvent: tcp.deferredGenEvent, &ctx)
        tcp.closeDeferred = false
    }
}
