#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PacketDecoding

/// Text of events.txt lines (SEMANTICS-RPC §6):
/// `<time %.6f> <event> <orig_h>:<orig_p>/<proto> > <resp_h>:<resp_p>/<proto>[ <arguments>]`.
public enum EventText {
    /// `%.6f` of a seconds value, exactly as C's printf rounds it.
    public static func seconds(_ value: Double) -> String {
        FixedDecimal.string(value)
    }

    /// One line: time, event name, connection, then the arguments if any.
    public static func line(time: Double, name: String, connection: ConnectionID, arguments: String) -> String {
        var text = seconds(time)
        text += " "
        text += name
        text += " "
        text += connection.eventsDescription
        if !arguments.isEmpty {
            text += " "
            text += arguments
        }
        return text
    }

    /// Arguments of `rpc_call`: `prog=... ver=... proc=... status=<n> start_time=... call_len=... reply_len=...`.
    public static func arguments(of call: RPCCallRecord) -> String {
        "prog=\(call.program) ver=\(call.version) proc=\(call.procedure) status=\(call.status.rawValue) "
            + "start_time=\(seconds(call.startTime)) call_len=\(call.callLength) reply_len=\(call.replyLength)"
    }

    /// The events.txt line of an RPC-level event, or `nil` for a program event
    /// (the program's formatter renders those).
    public static func line<ProgramEvent>(for event: RPCEvent<ProgramEvent>) -> String? {
        switch event.kind {
        case .rpcCall(let call):
            return line(time: event.time, name: "rpc_call", connection: event.connection, arguments: arguments(of: call))
        case .weird(let weird):
            if let addl = weird.addl {
                return line(time: event.time, name: "conn_weird_addl", connection: event.connection,
                            arguments: "name=\(weird.name) addl=\(addl)")
            }
            return line(time: event.time, name: "conn_weird", connection: event.connection,
                        arguments: "name=\(weird.name)")
        case .program:
            return nil
        }
    }
}
