extension ConnectionTracker {
    /// Step 1 of the per-packet pipeline: network time := max(network time,
    /// packet time), then at most `max_timer_expires` due timers fire, in
    /// (time, creation) order, each seeing the new network time.
    public mutating func advanceClock(to time: PacketTime, into out: ConnectionOutputBuffer) {
        ctx.use(out)
        if time.seconds > ctx.networkTime { ctx.networkTime = time.seconds }
        var fired = 0
        while let top = ctx.timers.top, top.time <= ctx.networkTime {
            if fired >= ctx.config.maxTimerExpiriesPerPacket {
                statistics.timerLimitHits += 1
                break
            }
            let timer = ctx.timers.popMin()!
            guard isCurrent(timer) else {
                ctx.note(.timerDiscarded(id: timer.order))
                continue
            }
            fired += 1
            statistics.timersFired += 1
            ctx.note(.timerFired(id: timer.order, time: timer.time))
            dispatch(timer, at: ctx.networkTime)
        }
    }

    /// False for timers the reference would have cancelled (connection gone, or
    /// a TCP analyzer timer from before `CancelTimers`).
    func isCurrent(_ timer: ScheduledTimer) -> Bool {
        // Fields in place: binding the connection would copy it (four block-list arrays).
        let i = Int(timer.slot)
        guard conns[i].isLive, conns[i].incarnation == timer.incarnation else { return false }
        return !timer.kind.isTCPAnalyzerTimer || timer.epoch == conns[i].tcp.timerEpoch
    }

    /// Runs a timer's action with dispatch time `t`.
    mutating func dispatch(_ timer: ScheduledTimer, at t: Double) {
        let slot = timer.slot
        let i = Int(slot)
        switch timer.kind {
        case .rpcExpiry:
            conns[i].event(.timeout, &ctx)
            removeConnection(slot, reason: .rpcExpiry)

        case .inactivity:
            let timeout = conns[i].inactivityTimeout
            guard timeout != 0 else { return }
            if conns[i].lastTime + timeout <= t {
                conns[i].event(.timeout, &ctx)
                removeConnection(slot, reason: .inactivity)
            } else {
                conns[i].addConnectionTimer(.inactivity, at: conns[i].lastTime + timeout, &ctx)
            }

        case .tcpAttempt:
            guard conns[i].tcp.isActive else { return }
            let os = conns[i].tcp.orig.state
            if (os == .synSent || os == .synAckSent) && conns[i].tcp.resp.state == .inactive {
                conns[i].event(.attempt, &ctx)
                conns[i].tcp.isActive = false
                removeConnection(slot, reason: .tcpAttempt)
            }

        case .tcpPartialClose:
            let tcp = conns[i].tcp
            guard tcp.isActive else { return }
            if tcp.orig.state != .inactive && tcp.resp.state != .inactive
                && (!tcp.orig.didClose || !tcp.resp.didClose) {
                // A RST presumably caused the partial close: not reported.
                if tcp.orig.state == .reset || tcp.resp.state == .reset { return }
                conns[i].event(.partialClose, &ctx)
                removeConnection(slot, reason: .tcpPartialClose)
            }

        case .tcpExpire:
            tcpExpireTimer(slot, at: t)

        case .tcpReset:
            guard conns[i].tcp.isActive else { return }
            if !conns[i].tcp.bothClosed { conns[i].connectionReset(&ctx) }
            removeConnection(slot, reason: .tcpReset)

        case .tcpClose:
            // `Connection::DeleteTimer`: the connection (not the analyzer) is
            // still marked active, so it reports a timeout first.
            conns[i].event(.timeout, &ctx)
            removeConnection(slot, reason: .tcpClose)
        }
    }

    /// The TCP expire/session timer (`TCP_Analyzer::ExpireTimer`).
    mutating func tcpExpireTimer(_ slot: Int32, at t: Double) {
        let i = Int(slot)
        let tcp = conns[i].tcp
        guard tcp.isActive else { return }
        if conns[i].lastTime + ctx.config.tcpConnectionLinger < t {
            let o = tcp.orig, r = tcp.resp
            if o.didClose || r.didClose {
                // Both closed, a RST, or half-closed: the connection is over.
                if (o.didClose && r.didClose) || o.state == .reset || r.state == .reset
                    || o.state == .inactive || r.state == .inactive {
                    conns[i].event(.timeout, &ctx)
                    conns[i].tcp.isActive = false
                    removeConnection(slot, reason: .tcpExpire)
                    return
                }
            }
            if r.state == .inactive {
                // An attempt (SYN_SENT/SYN_ACK_SENT) is left to the attempt timer.
                if o.state == .inactive {
                    // Nothing ever got through (e.g. every packet failed its checksum).
                    conns[i].event(.timeout, &ctx)
                    removeConnection(slot, reason: .tcpExpire)
                    return
                }
            }
        }
        conns[i].addAnalyzerTimer(.tcpExpire, at: t + ctx.config.tcpSessionTimer, &ctx)
    }
}
