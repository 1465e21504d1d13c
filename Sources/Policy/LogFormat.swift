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
public enum ReferenceLogLines {
    /// weird.log: `%.6f MSG`.
    public static func weird(_ record: WeirdRecord) -> String {
        FixedPoint.format(record.time) + " " + record.message
    }

    /// notice.log: 16 `:`-joined fields, each with `\` doubled and `:` escaped.
    public static func notice(_ record: NoticeRecord) -> String {
        let fields: [String] = [
            FixedPoint.format(record.time),
            record.note,
            record.action.rawValue,
            "",  // es: peer description (none: not a cluster)
            record.source.map { "\($0)" } ?? "",
            record.sourcePort.map { "\($0)" } ?? "",
            record.destination.map { "\($0)" } ?? "",
            record.destinationPort.map { "\($0)" } ?? "",
            "", "", "", "",  // user, file, method, url
            record.count.map { "\($0)" } ?? "",
            record.message,
            record.sub ?? "",
            "@" + record.tag,
        ]
        return fields.map(escapeNoticeField).joined(separator: ":")
    }

    /// alarm.log: `%.6f NOTE MSG` (unescaped).
    public static func alarm(_ record: NoticeRecord) -> String {
        FixedPoint.format(record.time) + " " + record.note + " " + record.message
    }

    /// `string_escape(val, ":")`: backslash first, then the colon.
    static func escapeNoticeField(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ":") }) else { return field }
        var out = ""
        out.reserveCapacity(field.utf8.count + 8)
        for scalar in field.unicodeScalars {
            if scalar == "\\" || scalar == ":" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}

/// JSON-lines records with the same content as the reference lines.
public enum JSONLogLines {
    public static func weird(_ record: WeirdRecord) -> String {
        var object = JSONObject()
        object.number("ts", FixedPoint.format(record.time))
        object.string("name", record.name)
        object.string("id", record.id)
        object.string("addl", record.addl)
        object.bool("unknown_name", record.unknownName)
        object.string("message", record.message)
        return object.finish()
    }

    public static func notice(_ record: NoticeRecord) -> String {
        var object = JSONObject()
        object.number("ts", FixedPoint.format(record.time))
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
        object.number("ts", FixedPoint.format(record.time))
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
