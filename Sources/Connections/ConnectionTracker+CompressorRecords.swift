import PacketDecoding

extension ConnectionTracker {
    /// The compressor's synthetic connection record for a pending entry
    /// (SEMANTICS-CONN §2.7 step 2): duration `t - pending time` (0 when `t` is
    /// 0), sizes from the caller, empty service set, addl `cc=1`. An INACTIVE
    /// originator state means "derive it from the SYN flags". A pending SYN+ACK
    /// from a likely server port is reported with roles swapped.
    mutating func syntheticRecord(
        _ pid: Int, at t: Double, origState: TCPEndpointState, origSize: Int64
    ) -> ConnectionSummary {
        if let cached = compressorRecordCache, cached.pid == pid { return cached.summary }
        let p = compressor[pid]
        var state = origState
        if state == .inactive {
            if p.flags.contains(.syn) {
                state = p.flags.contains(.ack) ? .synAckSent : .synSent
            } else {
                state = .partial
            }
        }
        let sender = EndpointSummary(size: origSize, rawState: state.rawValue)
        let silent = EndpointSummary(size: 0, rawState: TCPEndpointState.inactive.rawValue)
        let summary: ConnectionSummary
        let duration = t > 0 ? t - p.time : 0
        if p.flipsRoles {
            let id = ConnectionID(originator: p.destination, originatorPort: p.destinationPort,
                                  responder: p.source, responderPort: p.sourcePort, proto: .tcp)
            summary = ConnectionSummary(id: id, startTime: p.time, duration: duration,
                                        originator: silent, responder: sender, isCompressorRecord: true)
        } else {
            let id = ConnectionID(originator: p.source, originatorPort: p.sourcePort,
                                  responder: p.destination, responderPort: p.destinationPort, proto: .tcp)
            summary = ConnectionSummary(id: id, startTime: p.time, duration: duration,
                                        originator: sender, responder: silent, isCompressorRecord: true)
        }
        compressorRecordCache = (pid, summary)
        return summary
    }

    /// A conn weird on a pending entry (reported with its synthetic record).
    mutating func compressorWeird(_ pid: Int, at t: Double, _ name: StandardWeird) {
        let record = syntheticRecord(pid, at: t, origState: .inactive, origSize: 0)
        ctx.out.append(.weird(ConnectionWeird(
            name: .standard(name), scope: .connection(WeirdConnection(record.id, slot: nil)), time: ctx.networkTime)))
    }

    mutating func compressorEvent(
        _ pid: Int, at t: Double, _ kind: ConnectionEventKind, origState: TCPEndpointState, origSize: Int64
    ) {
        let record = syntheticRecord(pid, at: t, origState: origState, origSize: origSize)
        ctx.out.append(.event(ConnectionEventRecord(kind: kind, slot: nil, summary: record, time: ctx.networkTime)))
    }

    /// `connection_state_remove` for a pending entry: its conn.log line.
    mutating func compressorRemoved(
        _ pid: Int, at t: Double, reason: RemovalReason, origState: TCPEndpointState, origSize: Int64
    ) {
        let record = syntheticRecord(pid, at: t, origState: origState, origSize: origSize)
        ctx.out.append(.connectionRemoved(ConnectionRemoved(
            slot: nil, reason: reason, summary: record, time: ctx.networkTime)))
        statistics.connectionsRemoved += 1
    }
}
