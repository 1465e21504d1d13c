import Connections
import Policy

/// One events.log line (SEMANTICS-RPC §6) with its parts, so a sink can render
/// text or JSON.
public struct EventLine: Sendable, Hashable {
    public var time: Double
    /// `rpc_call`, `pm_request_getport`, `conn_weird`, `flow_weird`, ...
    public var name: String
    /// The complete events.txt line.
    public var text: String
}

/// Receives the replay's output in log order. Called on the engine's thread only.
///
/// The engine is generic over its sink, so a sink costs no dynamic dispatch; calls
/// happen per event and per connection, never per packet.
public protocol EngineSink: AnyObject {
    /// A connection's conn.log line: the connection layer's record plus the
    /// policy's service column and addl.
    func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation)
    /// weird.log / notice.log / alarm.log records produced by one policy drain.
    func policyOutput(_ output: PolicyOutput)
    /// An events.log line (only when `EngineConfiguration.recordEvents`).
    func event(_ line: EventLine)
    /// A diagnostic the reference prints on stderr (UDP `bad port number`).
    func warning(_ text: String)
}
