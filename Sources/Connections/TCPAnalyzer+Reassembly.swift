import PacketDecoding

extension Connection {
    // All functions take `isOrig` = the side whose data the reassembler holds.

    /// `TCP_Reassembler::DataSent`: new payload at relative sequence `seq`.
    mutating func dataSent(isOrig: Bool, seq: Int64, data: UnsafeRawBufferPointer, _ ctx: inout TrackerContext) {
        guard !tcp.reading(isOrig, { $0.skipDeliveries }) else { return }
        tcp[isOrig].reassembly.generation &+= 1
        ctx.currentPayload = data
        newBlock(isOrig: isOrig, seq: seq, data: data, &ctx)
        ctx.currentPayload = nil

        let config = ctx.config
        if tcp[isOrig].noDataAcked && config.tcpMaxAboveHoleWithoutAnyAcks > 0
            && tcp.reading(isOrig, { $0.undeliveredBytes }) > config.tcpMaxAboveHoleWithoutAnyAcks {
            weird(.aboveHoleDataWithoutAnyAcks, &ctx)
            tcp[isOrig].reassembly.clear()
            tcp[isOrig].reassembly.skipDeliveries = true
        }
        // Beyond the reference: a bound on delivered-but-unacked data and on the
        // number of blocks (see ConnectionConfiguration).
        let dropped = tcp[isOrig].reassembly.dropAwaitingAck(
            above: config.maxAwaitingAckBytesPerDirection, maxBlocks: config.maxBlocksPerDirection)
        ctx.awaitingAckBytesDropped += dropped
        if (config.tcpExcessiveDataWithoutFurtherAcks > 0
                && tcp.reading(isOrig, { $0.undeliveredBytes }) > config.tcpExcessiveDataWithoutFurtherAcks)
            || tcp.reading(isOrig, { $0.count }) > config.maxBlocksPerDirection {
            weird(.excessiveDataWithoutFurtherAcks, &ctx)
            tcp[isOrig].reassembly.clear()
            tcp[isOrig].reassembly.skipDeliveries = true
        }
    }

    /// `Reassembler::NewBlock`.
    mutating func newBlock(isOrig: Bool, seq start: Int64, data: UnsafeRawBufferPointer, _ ctx: inout TrackerContext) {
        guard data.count > 0 else { return }
        let upper = start + Int64(data.count)
        let trimSeq = tcp.reading(isOrig, { $0.trimSeq })
        // Already acknowledged: nothing to do.
        if upper <= trimSeq { return }
        checkOverlap(isOrig: isOrig, seq: start, data: data, &ctx)
        var seq = start
        var bytes = data
        var packetOffset = 0
        if seq < trimSeq {
            // Partly acknowledged: keep the new part.
            let old = Int(trimSeq - seq)
            bytes = UnsafeRawBufferPointer(rebasing: data[old...])
            seq = trimSeq
            packetOffset = old
        }
        let first = tcp[isOrig].reassembly.addAndCheck(seq: seq, upper: upper, data: bytes, packetOffset: packetOffset)
        blockInserted(isOrig: isOrig, startingAt: first, &ctx)
    }

    /// `CheckOverlap` + `Overlap`: retransmitted bytes that differ from the
    /// buffered ones raise `rexmit_inconsistency` (a lone differing byte only
    /// once the peer has sent something, to skip keep-alives).
    mutating func checkOverlap(isOrig: Bool, seq: Int64, data: UnsafeRawBufferPointer, _ ctx: inout TrackerContext) {
        let upper = seq + Int64(data.count)
        var i = tcp.reading(isOrig, { $0.firstBlock(endingAbove: seq) })
        let peerActive = tcp[!isOrig].hasDoneSomething
        while i < tcp.reading(isOrig, { $0.count }) {
            let b = tcp.reading(isOrig, { $0[i] })
            if upper <= b.seq { break }
            let from = max(seq, b.seq), to = min(upper, b.upper)
            let n = Int(to - from)
            if n > 0 {
                let newBytes = UnsafeRawBufferPointer(rebasing: data[Int(from - seq) ..< Int(from - seq) + n])
                let differs = tcp.reading(isOrig) { reassembler in
                    reassembler.withBytes(ofBlock: i) { old -> Bool in
                        let oldBytes = UnsafeRawBufferPointer(rebasing: old[Int(from - b.seq) ..< Int(from - b.seq) + n])
                        return !oldBytes.elementsEqual(newBytes)
                    }
                }
                if differs && (n > 1 || peerActive) {
                    let old = tcp[isOrig].reassembly.withBytes(ofBlock: i) { old in
                        ctx.out.stash(UnsafeRawBufferPointer(rebasing: old[Int(from - b.seq) ..< Int(from - b.seq) + n]))
                    }
                    let new = ctx.out.stash(newBytes)
                    ctx.out.append(.rexmitInconsistency(RexmitInconsistency(
                        slot: connectionSlot, old: old, new: new, time: ctx.networkTime)))
                }
            }
            i += 1
        }
    }

    /// `BlockInserted`: if the block fills the hole at the delivery point,
    /// deliver it and every block that follows contiguously.
    mutating func blockInserted(isOrig: Bool, startingAt start: Int, _ ctx: inout TrackerContext) {
        let startBlock = tcp.reading(isOrig, { $0[start] })
        let lrs = tcp.reading(isOrig, { $0.lastReassemSeq })
        guard startBlock.seq <= lrs && startBlock.upper > lrs else { return }
        var i = start
        while i < tcp.reading(isOrig, { $0.count }),
              tcp.reading(isOrig, { $0[i].seq }) <= tcp.reading(isOrig, { $0.lastReassemSeq }) {
            let b = tcp.reading(isOrig, { $0[i] })
            if b.seq == tcp.reading(isOrig, { $0.lastReassemSeq }) {
                tcp[isOrig].reassembly.lastReassemSeq += b.size
                deliverBlock(isOrig: isOrig, index: i, &ctx)
            }
            i += 1
        }
        // Much data and no ACK at all: presumably the peer's ACKs are not
        // visible, so do not hold the delivered data any longer.
        // (Scalars only: holding a copy of the endpoint across the trim would
        // force a copy of its block list.)
        let noDataAcked = tcp[isOrig].noDataAcked, size = tcp[isOrig].size
        if noDataAcked && ctx.config.tcpMaxInitialWindow > 0 && size > ctx.config.tcpMaxInitialWindow {
            _ = trimToSeq(isOrig: isOrig, tcp.reading(isOrig, { $0.lastReassemSeq }), &ctx)
        }
    }

    /// Hands one block to the application analyzer.
    func deliverBlock(isOrig: Bool, index: Int, _ ctx: inout TrackerContext) {
        // Read in place: a copy of the reassembler would retain its two arrays.
        guard !tcp.reading(isOrig, { $0.skipDeliveries }) else { return }
        let b = tcp.reading(isOrig, { $0[index] })
        let bytes: PayloadBytes
        if let payload = ctx.currentPayload, b.generation == tcp.reading(isOrig, { $0.generation }) {
            // Created from the packet being processed: point into it.
            bytes = .packet(UnsafeRawBufferPointer(rebasing: payload[b.packetOffset ..< b.packetOffset + Int(b.size)]))
        } else {
            let out = ctx.out
            bytes = tcp.reading(isOrig, { reassembler in reassembler.withBytes(ofBlock: index) { out.stash($0) } })
        }
        ctx.out.append(.tcpData(PayloadRecord(
            slot: connectionSlot, isOriginator: isOrig, bytes: bytes, time: ctx.networkTime)))
    }

    /// `TrimToSeq`: the peer acknowledged everything below `seq`. Undelivered
    /// data below it becomes a gap; returns the number of missing bytes in the
    /// trimmed range (holes, including between blocks).
    mutating func trimToSeq(isOrig: Bool, _ seq: Int64, _ ctx: inout TrackerContext) -> Int64 {
        var missing: Int64 = 0
        let lrs = tcp.reading(isOrig, { $0.lastReassemSeq })
        if let first = tcp.reading(isOrig, { $0.first }) {
            if first.seq > lrs { missing += first.seq - lrs }  // an initial hole
        } else if seq > lrs {
            missing += seq - lrs  // trimming data never seen
        }
        if seq > lrs { undelivered(isOrig: isOrig, upTo: seq, &ctx) }

        while let first = tcp.reading(isOrig, { $0.first }), first.upper <= seq {
            let nextSeq: Int64? = tcp.reading(isOrig, { $0.count }) > 1 ? tcp.reading(isOrig, { $0[1].seq }) : nil
            if let next = nextSeq, next <= seq {
                if first.upper != next { missing += next - first.upper }
            } else if first.upper != seq && first.upper != seq - 1 {
                // The second test allows for the ACK of a FIN.
                missing += seq - first.upper
            }
            tcp[isOrig].reassembly.removeFirst()
        }
        if let first = tcp.reading(isOrig, { $0.first }),
           first.seq == tcp.reading(isOrig, { $0.lastReassemSeq }) {
            // Skipping undeliverable data may have made this block deliverable.
            blockInserted(isOrig: isOrig, startingAt: 0, &ctx)
        }
        if seq > tcp.reading(isOrig, { $0.trimSeq }) { tcp[isOrig].reassembly.trimSeq = seq }
        return missing
    }

    /// `TCP_Reassembler::Undelivered`: bytes [last_reassem_seq, upTo) will never
    /// be delivered.
    mutating func undelivered(isOrig: Bool, upTo: Int64, _ ctx: inout TrackerContext) {
        // Partial connections: the faked initial numbering makes the first one
        // or two octets look missing; ignore (delivery point unchanged).
        if upTo <= 2 && tcp.isPartial && upTo >= 0 { return }
        let lrs = tcp.reading(isOrig, { $0.lastReassemSeq })
        guard upTo > lrs else { return }
        let e = tcp[isOrig], p = tcp[!isOrig]
        if lrs == 1 && (e.finCount > 0 || e.rstCount > 0 || p.finCount > 0 || p.rstCount > 0) {
            // Nothing ever delivered and the connection is ending (e.g. a
            // SYN/FIN/RST-filtered trace): stop delivering silently.
            tcp[isOrig].reassembly.skipDeliveries = true
        } else {
            if !tcp.reading(isOrig, { $0.skipDeliveries }) {
                let range = StreamRange(slot: connectionSlot, isOriginator: isOrig, sequence: lrs,
                                        length: upTo - lrs, time: ctx.networkTime)
                // Gaps are reported only for cleanly established connections.
                if e.state == .established && p.state == .established {
                    ctx.out.append(.contentGap(range))
                }
                ctx.out.append(.tcpUndelivered(range))
            }
            tcp[isOrig].reassembly.hadGap = true
        }
        tcp[isOrig].reassembly.lastReassemSeq = upTo
    }

    /// `TCP_Reassembler::AckReceived`: the peer acknowledged this side's data up
    /// to relative sequence `seq`.
    mutating func ackReceived(isOrig: Bool, seq ackSeq: Int64, _ ctx: inout TrackerContext) {
        var seq = ackSeq
        let finCount = tcp[isOrig].finCount, finSeq = tcp[isOrig].finSeq
        // The FIN octet is not data.
        if finCount > 0 && seq - finSeq >= 0 { seq = finSeq - 1 }
        guard seq - tcp.reading(isOrig, { $0.trimSeq }) > 0 else { return }
        let testActive = !tcp.reading(isOrig, { $0.skipDeliveries })
            && tcp[isOrig].state == .established && tcp[!isOrig].state == .established
        let missing = trimToSeq(isOrig: isOrig, seq, &ctx)
        if testActive && missing > 0 {
            ctx.out.append(.ackAboveHole(slot: connectionSlot, time: ctx.networkTime))
        }
        checkEOF(isOrig: isOrig, &ctx)
    }

    /// `CheckEOF`: once a closing side has delivered everything, report its EOF.
    mutating func checkEOF(isOrig: Bool, _ ctx: inout TrackerContext) {
        guard tcp.reassembling else { return }
        let state = tcp[isOrig].state
        if !tcp.reading(isOrig, { $0.didEOF }) && (tcp[isOrig].finCount > 0 || state == .closed || state == .reset)
            && !reassemblerDataPending(isOrig: isOrig) {
            tcp[isOrig].reassembly.didEOF = true
            endpointEOF(isOrig: isOrig, &ctx)
        }
    }

    /// `TCP_Reassembler::DataPending`: not everything up to last_seq delivered,
    /// or (unless this side reset) the peer still holds blocks.
    func reassemblerDataPending(isOrig: Bool) -> Bool {
        guard !tcp.reading(isOrig, { $0.skipDeliveries }) else { return false }
        let lastSeq = tcp[isOrig].lastSeq
        let delivered = tcp[isOrig].startSeq &+ UInt32(truncatingIfNeeded: tcp.reading(isOrig, { $0.lastReassemSeq }))
        if delivered != lastSeq &- 1 && delivered != lastSeq { return true }
        if tcp[isOrig].state != .reset && tcp.reading(!isOrig, { $0.hasBlocks }) { return true }
        return false
    }
}
