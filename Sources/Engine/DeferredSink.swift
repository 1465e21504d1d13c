import Connections
import Policy

/// One call the policy stage made on its sink.
enum SinkCall: Sendable {
    case connection(ConnectionSummary, ConnectionAnnotation)
    case policyOutput(PolicyOutput)
    case event(EventLine)
    case warning(String)
}

/// Sink calls recorded for one dispatch batch, handed from the thread that runs
/// the policy to the thread that owns the real sink. Pooled.
final class SinkCallBatch: @unchecked Sendable {
    @exclusivity(unchecked) var calls: [SinkCall] = []
    /// The policy thread is done: nothing follows this batch.
    @exclusivity(unchecked) var isEnd = false

    /// Makes the calls on `sink`, in order, and empties the batch.
    func replay<Sink: EngineSink>(into sink: Sink) {
        for i in calls.indices {
            switch calls[i] {
            case .connection(let summary, let annotation): sink.connection(summary, annotation: annotation)
            case .policyOutput(let output): sink.policyOutput(output)
            case .event(let line): sink.event(line)
            case .warning(let text): sink.warning(text)
            }
        }
        calls.removeAll(keepingCapacity: true)
    }
}

/// The sink of a sharded run's policy stage: it records the calls so that the real
/// sink, which may only be called on the engine's (calling) thread, gets them there,
/// in the same order, while the policy runs on a worker thread. Formatting and
/// writing the logs is then a pipeline stage of its own.
final class DeferredSink: EngineSink, @unchecked Sendable {
    /// Where calls go now.
    @exclusivity(unchecked) var current = SinkCallBatch()

    func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation) {
        current.calls.append(.connection(summary, annotation))
    }

    func policyOutput(_ output: PolicyOutput) {
        current.calls.append(.policyOutput(output))
    }

    func event(_ line: EventLine) {
        current.calls.append(.event(line))
    }

    func warning(_ text: String) {
        current.calls.append(.warning(text))
    }
}
