import Connections
import PacketDecoding
import Portmapper
import SunRPC

extension Shard {
    /// Turns the connection layer's records into engine records, running the RPC
    /// analyzers inline where the connection layer hands them data, so their events
    /// land exactly where the reference raises them.
    func drainConnectionOutput(into batch: RecordBatch) {
        // Most steps produce nothing: skip fetching (and retaining) the arrays.
        guard !connectionOutput.isEmpty else { return }
        let (records, notes) = connectionOutput.contents()
        var nextNote = 0
        for position in records.indices {
            let record = records[position]
            while nextNote < notes.count && notes[nextNote].position == position {
                appendNote(notes[nextNote].note, into: batch)
                nextNote += 1
            }
            switch record {
            case .connectionCreated(let created):
                if created.hasRPCAnalyzer { attachAnalyzer(created) }

            case .weird(let weird):
                var summary: ConnectionSummary? = nil
                if case .connection(let connection) = weird.scope, let slot = connection.slot {
                    summary = liveSummary(slot, id: connection.id)
                }
                batch.append(.connectionWeird(weird, summary), time: weird.time)

            case .event(let event):
                batch.append(.connectionEvent(event), time: event.time)

            case .udpPayload(let payload):
                deliverUDP(payload, into: batch)

            case .tcpData(let data):
                deliverTCP(data, into: batch)

            case .tcpUndelivered(let range):
                let i = Int(range.slot.index)
                // A fresh analyzer is already resynchronising: nothing to do without one.
                if i < tcpAnalyzers.count { tcpAnalyzers[i]?.contentGap(isOrig: range.isOriginator) }

            case .contentGap(let range):
                guard let summary = tracker.currentSummary(of: range.slot) else { break }
                batch.append(.connectionNotice(
                    .contentGap(isOriginator: range.isOriginator, sequence: range.sequence, length: range.length),
                    connection: summary), time: range.time)

            case .ackAboveHole(let slot, let time):
                guard let summary = tracker.currentSummary(of: slot) else { break }
                batch.append(.connectionNotice(.ackAboveHole, connection: summary), time: time)

            case .rexmitInconsistency(let inconsistency):
                guard let summary = tracker.currentSummary(of: inconsistency.slot) else { break }
                let old = Array(connectionOutput.bytes(inconsistency.old))
                let new = Array(connectionOutput.bytes(inconsistency.new))
                batch.append(.connectionNotice(.rexmitInconsistency(old: old, new: new), connection: summary),
                             time: inconsistency.time)

            case .connectionRemoving(let removal):
                finishRPC(removal, into: batch)

            case .connectionRemoved(let removed):
                batch.append(.connectionRemoved(removed), time: removed.time)
                if let slot = removed.slot { dropAnalyzers(Int(slot.index)) }
            }
        }
        while nextNote < notes.count {
            appendNote(notes[nextNote].note, into: batch)
            nextNote += 1
        }
    }

    /// An order note as a record for the merge. In the flush, a group-starting note
    /// also opens the flush step it belongs to.
    func appendNote(_ note: OrderNote, into batch: RecordBatch) {
        if flushing {
            let phase: RecordPhase?
            switch note {
            case .timerFired, .timerDiscarded: phase = .flushTimers
            case .pendingPassed: phase = .flushPending
            case .flushing(let key): phase = key.transport == .tcp ? .flushTCP : .flushUDP
            default: phase = nil
            }
            if let phase, phase != batch.phase { batch.enter(phase) }
        }
        batch.append(.order(note), time: tracker.networkTime)
    }

    /// The record of a live connection, if the slot still holds the connection `id`
    /// (a slot freed and reused within one step holds a different one).
    func liveSummary(_ slot: ConnectionSlot, id: ConnectionID) -> ConnectionSummary? {
        guard let summary = tracker.currentSummary(of: slot), summary.id == id else { return nil }
        return summary
    }

    /// The record RPC events of connection `id` carry: the tracker's current one
    /// (state after the packet), or the bare id should the slot hold another
    /// connection by the time its records are drained.
    func eventSummary(_ slot: ConnectionSlot, id: ConnectionID) -> ConnectionSummary {
        liveSummary(slot, id: id) ?? ConnectionSummary(
            id: id, startTime: 0, duration: 0,
            originator: EndpointSummary(size: 0, rawState: 0), responder: EndpointSummary(size: 0, rawState: 0))
    }

    // MARK: - RPC analyzers

    /// The analyzer the reference attaches at connection creation by responder
    /// port: the UDP message path or the TCP record-marking stream path.
    func attachAnalyzer(_ created: ConnectionCreated) {
        let i = Int(created.slot.index)
        growAnalyzerTables(to: i)
        dropAnalyzers(i)
        switch created.id.proto {
        case .udp: udpAnalyzers[i] = PortmapUDPAnalyzer(connection: created.id, configuration: rpcConfiguration)
        case .tcp: tcpAnalyzers[i] = PortmapTCPAnalyzer(connection: created.id, configuration: rpcConfiguration)
        case .icmp: break
        }
    }

    func deliverUDP(_ payload: PayloadRecord, into batch: RecordBatch) {
        let i = Int(payload.slot.index)
        guard i < udpAnalyzers.count, let id = Self.connection(of: &udpAnalyzers[i]) else { return }
        let summary = eventSummary(payload.slot, id: id)
        let mark = batch.rpcEvents.count
        udpAnalyzers[i]!.deliver(connectionOutput.bytes(payload.bytes), isOrig: payload.isOriginator,
                                 time: payload.time, into: &batch.rpcEvents)
        appendRPCRecords(from: mark, slot: payload.slot, connection: summary, into: batch)
    }

    func deliverTCP(_ data: PayloadRecord, into batch: RecordBatch) {
        let i = Int(data.slot.index)
        guard i < tcpAnalyzers.count, let id = Self.connection(of: &tcpAnalyzers[i]) else { return }
        let summary = eventSummary(data.slot, id: id)
        let mark = batch.rpcEvents.count
        tcpAnalyzers[i]!.deliverStream(connectionOutput.bytes(data.bytes), isOrig: data.isOriginator,
                                       time: data.time, into: &batch.rpcEvents)
        appendRPCRecords(from: mark, slot: data.slot, connection: summary, into: batch)
    }

    /// The analyzer's connection, read through an in-place (inout) access: a plain
    /// `udpAnalyzers[i]?.connection` copies the whole analyzer, call table
    /// included, out of the array first, on every payload.
    @inline(__always)
    static func connection(of analyzer: inout PortmapUDPAnalyzer?) -> ConnectionID? { analyzer?.connection }

    @inline(__always)
    static func connection(of analyzer: inout PortmapTCPAnalyzer?) -> ConnectionID? { analyzer?.connection }

    /// The analyzers' `Done` before `connection_state_remove` (SEMANTICS-RPC §1.3.3,
    /// §1.6): UDP calls still pending time out; TCP checks for a partial request.
    func finishRPC(_ removal: ConnectionRemoval, into batch: RecordBatch) {
        guard removal.hasRPCAnalyzer else { return }
        let i = Int(removal.slot.index)
        let mark = batch.rpcEvents.count
        switch removal.summary.id.proto {
        case .udp:
            guard i < udpAnalyzers.count, udpAnalyzers[i] != nil else { return }
            udpAnalyzers[i]!.connectionRemoved(time: removal.time, into: &batch.rpcEvents)
        case .tcp:
            guard i < tcpAnalyzers.count, tcpAnalyzers[i] != nil else { return }
            tcpAnalyzers[i]!.connectionFinished(
                originatorClosed: removal.originatorIsOrWasClosed,
                originatorSentData: removal.summary.originator.size > 0,
                time: removal.time, into: &batch.rpcEvents)
        case .icmp:
            return
        }
        appendRPCRecords(from: mark, slot: nil, connection: removal.summary, into: batch)
    }

    /// One `.rpcEvent` record per event the analyzer appended after `mark`. A weird
    /// also marks the connection (`DidWeird`, which silences `possible_split_routing`).
    func appendRPCRecords(from mark: Int, slot: ConnectionSlot?, connection: ConnectionSummary, into batch: RecordBatch) {
        var index = mark
        let events = batch.rpcEvents.events
        while index < events.count {
            let event = events[index]
            if let slot, case .weird = event.kind { tracker.noteWeird(on: slot) }
            batch.append(.rpcEvent(index: index, connection: connection), time: event.time)
            index += 1
        }
    }

    func growAnalyzerTables(to index: Int) {
        if index >= udpAnalyzers.count {
            let count = max(index + 1, udpAnalyzers.count * 2, 64)
            udpAnalyzers.append(contentsOf: repeatElement(nil, count: count - udpAnalyzers.count))
            tcpAnalyzers.append(contentsOf: repeatElement(nil, count: count - tcpAnalyzers.count))
        }
    }

    func dropAnalyzers(_ i: Int) {
        guard i < udpAnalyzers.count else { return }
        if let analyzer = udpAnalyzers[i] { rpcStatistics.add(analyzer.statistics) }
        if let analyzer = tcpAnalyzers[i] { rpcStatistics.add(analyzer.statistics) }
        udpAnalyzers[i] = nil
        tcpAnalyzers[i] = nil
    }
}
