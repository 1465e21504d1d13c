import PacketDecoding
import SunRPC

/// events.txt lines for portmapper analyzers (SEMANTICS-RPC §6), e.g.
/// `1795407887.623133 pm_request_getport 127.0.0.1:45746/udp > 127.0.0.1:111/udp pr=[program=100017, version=1, is_tcp=F] p=4464/udp`.
public enum PortmapEventText {
    /// The line for `event`, or `nil` for events that are not events.txt lines
    /// (the UDP bad-port warning; see `stderrLine`).
    /// - Parameters:
    ///   - event: an event from `buffer` (or one of the same buffer's payload).
    ///   - payload: `buffer.payloadWords` of the buffer the event came from.
    public static func line(for event: PortmapRPCEvent, payload: [UInt32]) -> String? {
        guard case .program(let portmap) = event.kind else {
            return EventText.line(for: event)
        }
        let text: (name: String, arguments: String)
        switch portmap {
        case .requestNull:
            text = ("pm_request_null", "")
        case let .requestSet(mapping, success):
            text = ("pm_request_set", "m=\(describe(mapping)) success=\(flag(success))")
        case let .requestUnset(mapping, success):
            text = ("pm_request_unset", "m=\(describe(mapping)) success=\(flag(success))")
        case let .requestGetport(request, port):
            text = ("pm_request_getport", "pr=\(describe(request)) p=\(port)")
        case let .requestDump(list):
            text = ("pm_request_dump", "m=\(describe(list, payload: payload))")
        case let .requestCallit(request, port):
            text = ("pm_request_callit", "call=\(describe(request)) p=\(port)")
        case let .attemptNull(status):
            text = ("pm_attempt_null", "status=\(status.enumName)")
        case let .attemptSet(status, mapping):
            text = ("pm_attempt_set", "status=\(status.enumName) m=\(describe(mapping))")
        case let .attemptUnset(status, mapping):
            text = ("pm_attempt_unset", "status=\(status.enumName) m=\(describe(mapping))")
        case let .attemptGetport(status, request):
            text = ("pm_attempt_getport", "status=\(status.enumName) pr=\(describe(request))")
        case let .attemptDump(status):
            text = ("pm_attempt_dump", "status=\(status.enumName)")
        case let .attemptCallit(status, request):
            text = ("pm_attempt_callit", "status=\(status.enumName) call=\(describe(request))")
        case let .badPort(port):
            text = ("pm_bad_port", "bad_p=\(port)")
        case .badPortNumberWarning:
            return nil
        }
        return EventText.line(time: event.time, name: text.name, connection: event.connection, arguments: text.arguments)
    }

    /// The reference's stderr warning for a UDP port ≥ 65536, or `nil` for
    /// other events. The reference prints a memory artifact in the parentheses
    /// (`(515/tcp)`, `(1/unknown)`); we print the offending wire value there.
    public static func stderrLine(for event: PortmapRPCEvent) -> String? {
        guard case .program(.badPortNumberWarning(let wire)) = event.kind else { return nil }
        return "\(EventText.seconds(event.time)) <no location> (\(wire)): internal warning: bad port number"
    }

    /// `[program=100017, version=1, p=0/udp]`.
    public static func describe(_ mapping: PortmapMapping) -> String {
        "[program=\(mapping.program), version=\(mapping.version), p=\(mapping.port)]"
    }

    /// `[program=100008, version=1, is_tcp=F]`.
    public static func describe(_ request: PortmapPortRequest) -> String {
        "[program=\(request.program), version=\(request.version), is_tcp=\(flag(request.isTCP))]"
    }

    /// `[program=100001, version=1, proc=2, arg_size=30]`.
    public static func describe(_ request: PortmapCallitRequest) -> String {
        "[program=\(request.program), version=\(request.version), proc=\(request.procedure), arg_size=\(request.argumentSize)]"
    }

    /// `{2 entries: [1=[...], 2=[...]]}`, indices in ascending order (`{0 entries: []}` when empty).
    public static func describe(_ list: PortmapMappingList, payload: [UInt32]) -> String {
        var text = "{\(list.count) entries: ["
        var index = 0
        while index < list.count {
            if index > 0 { text += ", " }
            if let mapping = list.entry(index, in: payload) {
                text += "\(index + 1)=" + describe(mapping)
            }
            index += 1
        }
        return text + "]}"
    }

    @inlinable
    static func flag(_ value: Bool) -> String { value ? "T" : "F" }
}

/// Effects of the policy scripts that show up as events.
public enum PortmapScriptEffects {
    /// The policy's `pm_bad_port` handler raises the weird `bad_pm_port`
    /// (addl `port <n>`). Script-raised events queue behind everything the
    /// analyzers queued for the same packet (SEMANTICS-RPC §2.3), so the engine
    /// calls this once per packet, after all analyzer work for it, with the
    /// index of the packet's first event.
    /// - Returns: the number of weirds appended.
    @discardableResult
    public static func appendBadPortWeirds(to buffer: inout PortmapEventBuffer, fromEventIndex start: Int) -> Int {
        let end = buffer.events.count
        var index = max(0, start)
        var appended = 0
        while index < end {
            let event = buffer.events[index]
            if case .program(.badPort(let port)) = event.kind {
                buffer.events.append(PortmapRPCEvent(time: event.time, connection: event.connection,
                                                     kind: .weird(.badPortmapPort(port))))
                appended += 1
            }
            index += 1
        }
        return appended
    }
}
