#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Connections
import PacketDecoding
import Policy

/// Writes a replay's logs into a directory: conn, weird, notice and alarm always
/// (empty files included), events when asked; reference format (`.log`) or JSON
/// lines (`.jsonl`).
public final class LogDirectorySink: EngineSink {
    public let directory: String
    public let format: LogFormat
    private let conn: LogFileWriter
    private let policy: PolicyLogWriter
    private let events: LogFileWriter?
    private let onWarning: (String) -> Void

    /// Creates the directory if needed and truncates the log files.
    /// - Parameters:
    ///   - directory: output directory.
    ///   - format: reference text or JSON lines.
    ///   - events: also write events.log (events.jsonl).
    ///   - onWarning: receives stderr diagnostics (UDP `bad port number`).
    /// - Throws: `LogWriterError` when the directory or a file cannot be created.
    public init(directory: String, format: LogFormat = .reference, events: Bool = false,
                onWarning: @escaping (String) -> Void = { _ in }) throws(LogWriterError) {
        try Self.makeDirectories(directory)
        self.directory = directory
        self.format = format
        self.onWarning = onWarning
        conn = try LogFileWriter(path: directory + "/" + format.fileName("conn"))
        policy = try PolicyLogWriter(directory: directory, format: format)
        self.events = events ? try LogFileWriter(path: directory + "/" + format.fileName("events")) : nil
    }

    public func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation) {
        switch format {
        case .reference:
            ConnLog.appendLine(summary, service: annotation.service, addl: annotation.addl, to: conn.pending)
            conn.endLine()
        case .json:
            conn.writeLine(JSONLines.connection(summary, annotation: annotation))
        }
    }

    public func policyOutput(_ output: PolicyOutput) {
        policy.write(output)
    }

    public func event(_ line: EventLine) {
        guard let events else { return }
        events.writeLine(format == .reference ? line.text : JSONLines.event(line))
    }

    public func warning(_ text: String) {
        onWarning(text)
    }

    /// `mkdir -p`: creates `path` and any missing parents.
    static func makeDirectories(_ path: String) throws(LogWriterError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw LogWriterError(path: prefix, errno: errno)
            }
            prefix += "/"
        }
    }

    /// Flushes and closes every file.
    public func close() {
        conn.close()
        policy.close()
        events?.close()
    }
}

/// JSON-lines forms of the engine's own logs (conn, events); the policy logs have theirs.
enum JSONLines {
    static func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation) -> String {
        let id = summary.id
        var object = JSONObject()
        object.number("ts", ConnLog.fixed6(summary.startTime))
        let duration = ConnLog.durationColumn(summary)
        if duration == "?" { object.null("duration") } else { object.number("duration", duration) }
        object.string("orig_h", "\(id.originator)")
        object.string("resp_h", "\(id.responder)")
        object.string("service", annotation.service)
        object.number("orig_p", "\(id.originatorPort)")
        object.number("resp_p", "\(id.responderPort)")
        object.string("proto", "\(id.proto)")
        let origBytes = ConnLog.bytesColumn(summary.originator, id.proto)
        let respBytes = ConnLog.bytesColumn(summary.responder, id.proto)
        if origBytes == "?" { object.null("orig_bytes") } else { object.number("orig_bytes", origBytes) }
        if respBytes == "?" { object.null("resp_bytes") } else { object.number("resp_bytes", respBytes) }
        object.string("state", ConnLog.stateCode(for: summary))
        object.string("flags", "X")
        object.string("addl", annotation.addl)
        return object.finish()
    }

    static func event(_ line: EventLine) -> String {
        var object = JSONObject()
        object.number("ts", ConnLog.fixed6(line.time))
        object.string("event", line.name)
        object.string("line", line.text)
        return object.finish()
    }
}
