import PacketDecoding
import Policy
import SunRPC

/// events.log lines for the weirds the RPC formatters do not cover: connection-layer
/// conn weirds, flow weirds and net weirds (SEMANTICS-RPC §6 format).
enum EventLines {
    /// `T conn_weird O:o/p > R:r/p name=N`, `T flow_weird SRC > DST name=N`, or
    /// `T net_weird name=N` (the last has no golden example; same pattern).
    static func weird(_ name: String, _ scope: Policy.WeirdScope, _ time: Double) -> String {
        var text = EventText.seconds(time)
        switch scope {
        case .net:
            text += " net_weird"
        case .flow(let source, let destination):
            text += " flow_weird \(source) > \(destination)"
        case .connection(let connection):
            text += " conn_weird " + connection.id.eventsDescription
        }
        text += " name="
        text += name
        return text
    }

    /// The event name of a formatted line (its second field).
    static func name(of line: String) -> String {
        let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        return fields.count > 1 ? String(fields[1]) : ""
    }
}
