extension ConnectionTracker {
    /// End of trace (SEMANTICS-CONN §2.7), stamped with the last packet's network time:
    /// 1. every pending timer is popped in time order; only the RPC expiry, TCP
    ///    attempt and TCP reset timers act;
    /// 2. the compressor reports every still-pending SYN (`cc=1`) in creation order;
    /// 3. every remaining TCP connection finishes, in the compressor table's order;
    /// 4. every remaining UDP connection finishes, in the UDP table's order.
    /// Afterwards the tracker is empty (network time is kept).
    public mutating func finish(into out: ConnectionOutputBuffer) {
        ctx.out = out
        while let timer = ctx.timers.popMin() {
            guard isCurrent(timer), timer.kind.actsAtEndOfTrace else { continue }
            ctx.note(.timerFired(id: timer.order, time: timer.time))
            dispatch(timer, at: ctx.networkTime)
        }
        expirePending(at: 0)
        for key in tcpOrder.orderedKeys() {
            if case .connection(let slot)? = tcpTable[key] {
                ctx.note(.flushing(key))
                emitRemoval(slot, reason: .endOfTrace)
            }
        }
        for key in udpOrder.orderedKeys() {
            if let slot = udpTable[key] {
                ctx.note(.flushing(key))
                emitRemoval(slot, reason: .endOfTrace)
            }
        }
        for slot in tcpTable.values {
            if case .connection(let s) = slot { freeSlot(s) }
        }
        for slot in udpTable.values { freeSlot(slot) }
        tcpTable.removeAll()
        udpTable.removeAll()
        tcpOrder = ReferenceOrder()
        udpOrder = ReferenceOrder()
        statistics.awaitingAckBytesDropped = ctx.awaitingAckBytesDropped
    }
}
