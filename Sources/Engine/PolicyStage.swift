import Connections
import PacketDecoding
import Policy
import Portmapper
import SunRPC

/// Counters of what reached the logs.
public struct OutputStatistics: Sendable, Equatable {
    /// conn.log lines.
    public var connections: UInt64 = 0
    /// Events in events.log terms (counted whether or not events.log is written).
    public var events: UInt64 = 0
    /// weird.log lines.
    public var weirds: UInt64 = 0
    /// notice.log lines.
    public var notices: UInt64 = 0
    /// alarm.log lines.
    public var alarms: UInt64 = 0
    /// stderr warnings (UDP `bad port number`).
    public var warnings: UInt64 = 0
    public init() {}
}

/// The single-threaded end of the pipeline: feeds merged records to the
/// `PolicyEngine` in dispatch order, writes events.log lines as events are
/// dispatched, and hands every log record to the sink.
///
/// Like the reference's event queue, everything one packet raised is drained
/// together; events raised by script handlers (`pm_bad_port` → `conn_weird_addl
/// bad_pm_port`) go behind all of them (SEMANTICS-RPC §2.3). Confined to the
/// engine's thread, never re-entered: its state skips dynamic exclusivity checks.
final class PolicyStage<Sink: EngineSink> {
    let policy: PolicyEngine
    let sink: Sink
    let recordEvents: Bool
    @exclusivity(unchecked) private(set) var statistics = OutputStatistics()
    /// Events the scripts raise from handlers of this packet's events, dispatched last.
    @exclusivity(unchecked) private var handlerEvents: [(time: Double, connection: PolicyConnection, id: ConnectionID, port: UInt32)] = []
    /// Summaries of removed connections waiting for the policy's annotation, in order.
    @exclusivity(unchecked) private var pendingLines: [(token: UInt64, summary: ConnectionSummary)] = []
    @exclusivity(unchecked) private var pendingHead = 0
    @exclusivity(unchecked) private var nextToken: UInt64 = 0
    /// Network time of the last `consume` call.
    @exclusivity(unchecked) private var lastTime = -Double.infinity
    /// Set for runs that stop before the policy (`EngineStage.analyze`): records are dropped.
    @exclusivity(unchecked) var isBypassed = false

    init(configuration: PolicyConfiguration, sink: Sink, recordEvents: Bool) {
        // The engine itself queues `bad_pm_port` behind the packet's events (and
        // writes its events.log line), so the policy must not derive it again.
        policy = PolicyEngine(configuration: configuration, derivesBadPortWeird: false)
        self.sink = sink
        self.recordEvents = recordEvents
    }

    /// Dispatches one packet's (or the flush's) merged records.
    /// - Parameters:
    ///   - time: network time after the packet (clock-only packets still advance
    ///     the policy's table expiry, as the reference's timers do).
    func consume<Order: Collection<MergedRecord>>(_ order: Order, of batches: [RecordBatch], time: Double) {
        if isBypassed { return }
        // A packet without records that leaves network time where it was changes
        // nothing in the policy (its clock work is keyed by time): skip the drain.
        if order.isEmpty && time == lastTime { return }
        lastTime = time
        // Inputs are dispatched as they come; only events raised by handlers queue.
        policy.dispatchNow(.networkTime(time))
        for position in order {
            let batch = batches[position.batch]
            let record = batch.records[position.record]
            dispatch(record, from: batch)
        }
        if !handlerEvents.isEmpty { dispatchHandlerEvents() }
        policy.drain()
        if policy.hasOutput {
            emit(policy.pendingOutput)
            policy.clearOutput()
        }
    }

    /// `bro_done`: end-of-run summaries.
    func finish(time: Double) {
        if isBypassed { return }
        policy.process([.endOfInput(time: time)])
        emit(policy.takeOutput())
    }

    // MARK: - Records

    private func dispatch(_ record: EngineRecord, from batch: RecordBatch) {
        switch record.kind {
        case .intakeWeird(let weird):
            let scope: Policy.WeirdScope
            switch weird.scope {
            case .net: scope = .net
            case .flow(let source, let destination): scope = .flow(source: source, destination: destination)
            case .connection(let id): scope = .connection(PolicyConnection(id: id))
            }
            weirdEvent(name: weird.name.rawValue, scope: scope, time: record.time)

        case .connectionWeird(let weird, let summary):
            let scope: Policy.WeirdScope
            switch weird.scope {
            case .net: scope = .net
            case .flow(let source, let destination): scope = .flow(source: source, destination: destination)
            case .connection(let weirdConnection):
                var connection = PolicyConnection(id: weirdConnection.id)
                if let summary { connection = Self.policyConnection(summary) }
                connection.isCompressorPending = weirdConnection.slot == nil
                scope = .connection(connection)
            }
            weirdEvent(name: weird.name.description, scope: scope, time: record.time)

        case .connectionEvent(let event):
            guard let lifecycle = Self.lifecycle(event.kind) else { return }
            policy.dispatchNow(.connectionEvent(
                time: record.time, connection: Self.policyConnection(event.summary), event: lifecycle,
                summary: Self.summaryText(event.summary)))

        case .rpcEvent(let index, let summary):
            rpcEvent(batch.rpcEvents.events[index], payload: batch.rpcEvents.payloadWords, summary: summary)

        case .connectionNotice(let kind, let summary):
            let event: ConnectionNoticeEvent
            switch kind {
            case .contentGap(let isOriginator, let sequence, let length):
                event = .contentGap(isOriginator: isOriginator, sequence: UInt64(bitPattern: sequence),
                                    length: UInt64(bitPattern: length))
            case .ackAboveHole:
                event = .ackAboveHole
            case .rexmitInconsistency(let old, let new):
                event = .rexmitInconsistency(old: old, new: new)
            }
            policy.dispatchNow(.connectionNotice(time: record.time, connection: Self.policyConnection(summary), event: event))

        case .connectionRemoved(let removed):
            let token = nextToken
            nextToken &+= 1
            pendingLines.append((token, removed.summary))
            policy.dispatchNow(.connectionRemoved(time: record.time, removal: Policy.ConnectionRemoval(
                connection: Self.policyConnection(removed.summary), token: token,
                summary: Self.summaryText(removed.summary))))

        case .order:
            return
        }
    }

    private func weirdEvent(name: String, scope: Policy.WeirdScope, time: Double) {
        statistics.events &+= 1
        if recordEvents {
            sink.event(EventLine(time: time, name: Self.weirdEventName(scope), text: EventLines.weird(name, scope, time)))
        }
        policy.dispatchNow(.weird(time: time, event: WeirdEvent(name: name, scope: scope)))
    }

    private func rpcEvent(_ event: PortmapRPCEvent, payload: [UInt32], summary: ConnectionSummary) {
        if let warning = PortmapEventText.stderrLine(for: event) {
            statistics.warnings &+= 1
            sink.warning(warning)
            return
        }
        statistics.events &+= 1
        if recordEvents, let text = PortmapEventText.line(for: event, payload: payload) {
            sink.event(EventLine(time: event.time, name: EventLines.name(of: text), text: text))
        }
        let connection = Self.policyConnection(summary)
        if let input = PolicyInput.from(event, payload: payload, connection: connection) {
            policy.dispatchNow(input)
        }
        if case .program(.badPort(let value)) = event.kind {
            handlerEvents.append((event.time, connection, event.connection, value))
        }
    }

    /// portmapper.bro's `pm_bad_port` handler: `conn_weird_addl("bad_pm_port", c, "port N")`.
    private func dispatchHandlerEvents() {
        for raised in handlerEvents {
            let weird = RPCWeird.badPortmapPort(raised.port)
            statistics.events &+= 1
            if recordEvents, let text = EventText.line(
                for: PortmapRPCEvent(time: raised.time, connection: raised.id, kind: .weird(weird))) {
                sink.event(EventLine(time: raised.time, name: "conn_weird_addl", text: text))
            }
            policy.dispatchNow(.weird(time: raised.time, event: WeirdEvent(
                name: weird.name, addl: weird.addl ?? "", scope: .connection(raised.connection))))
        }
        handlerEvents.removeAll(keepingCapacity: true)
    }

    // MARK: - Output

    private func emit(_ output: PolicyOutput) {
        if !output.weirds.isEmpty || !output.notices.isEmpty {
            statistics.weirds &+= UInt64(output.weirds.count)
            statistics.notices &+= UInt64(output.notices.count)
            statistics.alarms &+= UInt64(output.notices.lazy.filter(\.writesAlarm).count)
            sink.policyOutput(output)
        }
        for annotation in output.connections {
            // Annotations come back in removal order.
            while pendingHead < pendingLines.count && pendingLines[pendingHead].token != annotation.token {
                pendingHead += 1
            }
            guard pendingHead < pendingLines.count else { continue }
            statistics.connections &+= 1
            sink.connection(pendingLines[pendingHead].summary, annotation: annotation)
            pendingHead += 1
        }
        if pendingHead == pendingLines.count && pendingHead > 0 {
            pendingLines.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
    }

    // MARK: - Conversions

    static func policyConnection(_ summary: ConnectionSummary) -> PolicyConnection {
        PolicyConnection(
            id: summary.id,
            originatorSize: UInt64(bitPattern: summary.originator.size),
            responderSize: UInt64(bitPattern: summary.responder.size),
            originatorState: summary.originator.rawState, responderState: summary.responder.rawState,
            isCompressorPending: summary.isCompressorRecord)
    }

    static func summaryText(_ summary: ConnectionSummary) -> ConnectionSummaryText {
        ConnectionSummaryText(
            stateCode: ConnLog.stateCode(for: summary),
            originatorBytesText: ConnLog.bytesColumn(summary.originator, summary.id.proto),
            responderBytesText: ConnLog.bytesColumn(summary.responder, summary.id.proto),
            duration: summary.duration)
    }

    static func lifecycle(_ kind: ConnectionEventKind) -> ConnectionLifecycleEvent? {
        switch kind {
        case .established: return .established
        case .partialConnection: return .partial
        case .attempt: return .attempt
        case .rejected: return .rejected
        case .reset: return .reset
        case .finished: return .finished
        case .halfFinished: return .halfFinished
        case .partialClose: return .partialClose
        case .timeout, .reused: return nil
        }
    }

    static func weirdEventName(_ scope: Policy.WeirdScope) -> String {
        switch scope {
        case .net: return "net_weird"
        case .flow: return "flow_weird"
        case .connection: return "conn_weird"
        }
    }
}
