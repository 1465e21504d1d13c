import Policy

/// Builds one JSON object on one line, keys in insertion order (stable output
/// that diffs well). Enough JSON for `info --json`; no Foundation needed.
struct JSONLine {
    private var text = "{"
    private var empty = true

    mutating func add(_ key: String, _ value: String?) {
        addRaw(key, value.map(Self.quoted) ?? "null")
    }

    mutating func add(_ key: String, _ value: UInt64) { addRaw(key, String(value)) }
    mutating func add(_ key: String, _ value: Int) { addRaw(key, String(value)) }
    mutating func add(_ key: String, _ value: Bool) { addRaw(key, value ? "true" : "false") }

    mutating func add(_ key: String, _ values: [String]) {
        addRaw(key, "[" + values.map(Self.quoted).joined(separator: ",") + "]")
    }

    mutating func add(_ key: String, _ object: JSONLine) { addRaw(key, object.rendered) }

    var rendered: String { text + "}" }

    private mutating func addRaw(_ key: String, _ json: String) {
        if !empty { text += "," }
        empty = false
        text += Self.quoted(key) + ":" + json
    }

    /// A JSON string literal (RFC 8259 section 7), quoted as the logs quote theirs.
    static func quoted(_ s: String) -> String { JSONObject.quote(s) }
}
