import PacketDecoding

/// Output formats of the policy logs: the reference's text lines, or one JSON object per
/// line with the same records (`--format json`).
public enum LogFormat: String, Sendable, CaseIterable {
    case reference
    case json

    /// File name of a log (`weird` → `weird.log` / `weird.jsonl`).
    public func fileName(_ log: String) -> String {
        self == .reference ? log + ".log" : log + ".jsonl"
    }
}

/// Reference-format lines (weird.bro, notice.bro untagged format, alarm.bro).
/// The `append…` forms write straight into a log's byte buffer (the hot path);
/// the `String` forms are for tests and callers that want a value.
public enum ReferenceLogLines {
    /// weird.log: `%.6f MSG`.
    public static func weird(_ record: WeirdRecord) -> String {
        let line = LineBuffer()
        appendWeird(record, to: line)
        return line.string
    }

    /// notice.log: 16 `:`-joined fields, each with `\` doubled and `:` escaped.
    public static func notice(_ record: NoticeRecord) -> String {
        let line = LineBuffer()
        appendNotice(record, to: line)
        return line.string
    }

    /// alarm.log: `%.6f NOTE MSG` (unescaped).
    public static func alarm(_ record: NoticeRecord) -> String {
        let line = LineBuffer()
        appendAlarm(record, to: line)
        return line.string
    }

    public static func appendWeird(_ record: WeirdRecord, to line: LineBuffer) {
        appendWeird(record, to: line, times: nil)
    }

    public static func appendAlarm(_ record: NoticeRecord, to line: LineBuffer) {
        appendAlarm(record, to: line, times: nil)
    }

    public static func appendNotice(_ record: NoticeRecord, to line: LineBuffer) {
        appendNotice(record, to: line, times: nil)
    }

    /// The record's time through the writer's cache when it has one.
    @inline(__always)
    static func appendTime(_ time: Double, to line: LineBuffer, times: TimeTextCache?) {
        if let times { times.append(time, to: line) } else { line.appendFixed(time) }
    }

    static func appendWeird(_ record: WeirdRecord, to line: LineBuffer, times: TimeTextCache?) {
        appendTime(record.time, to: line, times: times)
        line.append(byte: UInt8(ascii: " "))
        line.append(record.message)
    }

    static func appendAlarm(_ record: NoticeRecord, to line: LineBuffer, times: TimeTextCache?) {
        appendTime(record.time, to: line, times: times)
        line.append(byte: UInt8(ascii: " "))
        line.append(record.note)
        line.append(byte: UInt8(ascii: " "))
        line.append(record.message)
    }

    /// Fields: t, note, action, es (peer: none), src, sp, dst, dp, user, file, method,
    /// url, num, msg, sub, tag. Numbers, addresses and ports never contain `\` or `:`.
    static func appendNotice(_ record: NoticeRecord, to line: LineBuffer, times: TimeTextCache?) {
        let colon = UInt8(ascii: ":")
        appendTime(record.time, to: line, times: times)
        line.append(byte: colon)
        appendEscaped(record.note, to: line)
        line.append(byte: colon)
        appendEscaped(record.action.rawValue, to: line)
        line.append(byte: colon)
        line.append(byte: colon)  // es
        if let source = record.source { line.append(source) }
        line.append(byte: colon)
        if let port = record.sourcePort { appendPort(port, to: line) }
        line.append(byte: colon)
        if let destination = record.destination { line.append(destination) }
        line.append(byte: colon)
        if let port = record.destinationPort { appendPort(port, to: line) }
        line.append(byte: colon)
        // user, file, method, url: always empty.
        line.append(byte: colon)
        line.append(byte: colon)
        line.append(byte: colon)
        line.append(byte: colon)
        if let count = record.count { line.appendDecimal(count) }
        line.append(byte: colon)
        appendEscaped(record.message, to: line)
        line.append(byte: colon)
        if let sub = record.sub { appendEscaped(sub, to: line) }
        line.append(byte: colon)
        line.append(byte: UInt8(ascii: "@"))
        appendEscaped(record.tag, to: line)
    }

    /// `N/proto`, as `PortValue.description`.
    static func appendPort(_ port: PortValue, to line: LineBuffer) {
        line.appendDecimal(UInt64(port.number))
        line.append(byte: UInt8(ascii: "/"))
        appendProtocolName(port.proto, to: line)
    }

    /// `tcp` / `udp` / `icmp` (`TransportProtocol.description`) without a String.
    static func appendProtocolName(_ proto: TransportProtocol, to line: LineBuffer) {
        switch proto {
        case .tcp:
            line.append(byte: UInt8(ascii: "t")); line.append(byte: UInt8(ascii: "c")); line.append(byte: UInt8(ascii: "p"))
        case .udp:
            line.append(byte: UInt8(ascii: "u")); line.append(byte: UInt8(ascii: "d")); line.append(byte: UInt8(ascii: "p"))
        case .icmp:
            line.append(byte: UInt8(ascii: "i")); line.append(byte: UInt8(ascii: "c")); line.append(byte: UInt8(ascii: "m"))
            line.append(byte: UInt8(ascii: "p"))
        }
    }

    /// `string_escape(val, ":")`: backslash first, then the colon. Both are ASCII, so
    /// escaping UTF-8 bytes equals escaping scalars.
    static func appendEscaped(_ field: String, to line: LineBuffer) {
        var field = field
        field.withUTF8 { line.appendEscaping($0) }
    }

    /// `string_escape(val, ":")` of one field.
    static func escapeNoticeField(_ field: String) -> String {
        let line = LineBuffer()
        appendEscaped(field, to: line)
        return line.string
    }
}

/// `%.6f` of the last time rendered: a packet's weird, notice and alarm lines
/// share one network time, so most lines copy these bytes instead of formatting.
final class TimeTextCache {
    private var bits: UInt64 = 0
    private var isValid = false
    private let text = LineBuffer(capacity: 32)

    func append(_ time: Double, to line: LineBuffer) {
        // Bit equality: -0.0 and 0.0 print differently.
        if !isValid || time.bitPattern != bits {
            text.removeAll()
            text.appendFixed(time)
            bits = time.bitPattern
            isValid = true
        }
        line.append(text.bytes)
    }
}

/// JSON-lines records with the same content as the reference lines.
public enum JSONLogLines {
    public static func weird(_ record: WeirdRecord) -> String {
        var object = JSONObject()
        object.number("ts", FixedDecimal.string(record.time))
        object.string("name", record.name)
        object.string("id", record.id)
        object.string("addl", record.addl)
        object.bool("unknown_name", record.unknownName)
        object.string("message", record.message)
        return object.finish()
    }

    public static func notice(_ record: NoticeRecord) -> String {
        var object = JSONObject()
        object.number("ts", FixedDecimal.string(record.time))
        object.string("note", record.note)
        object.string("action", record.action.rawValue)
        object.optionalString("src", record.source.map { "\($0)" })
        object.optionalString("src_port", record.sourcePort.map { "\($0)" })
        object.optionalString("dst", record.destination.map { "\($0)" })
        object.optionalString("dst_port", record.destinationPort.map { "\($0)" })
        if let count = record.count { object.number("num", "\(count)") } else { object.null("num") }
        object.string("msg", record.message)
        object.optionalString("sub", record.sub)
        object.string("tag", "@" + record.tag)
        return object.finish()
    }

    public static func alarm(_ record: NoticeRecord) -> String {
        var object = JSONObject()
        object.number("ts", FixedDecimal.string(record.time))
        object.string("note", record.note)
        object.string("msg", record.message)
        return object.finish()
    }
}

/// Minimal ordered JSON object builder (keys are fixed ASCII identifiers).
/// Public so the engine's conn/events JSON lines share the same quoting.
public struct JSONObject {
    private var text = "{"

    public init() {}

    private mutating func key(_ name: String) {
        if text.utf8.count > 1 { text += "," }
        text += "\"" + name + "\":"
    }

    public mutating func number(_ name: String, _ literal: String) { key(name); text += literal }
    public mutating func bool(_ name: String, _ value: Bool) { key(name); text += value ? "true" : "false" }
    public mutating func null(_ name: String) { key(name); text += "null" }
    public mutating func string(_ name: String, _ value: String) { key(name); text += JSONObject.quote(value) }
    public mutating func optionalString(_ name: String, _ value: String?) {
        if let value { string(name, value) } else { null(name) }
    }

    public func finish() -> String { text + "}" }

    public static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
