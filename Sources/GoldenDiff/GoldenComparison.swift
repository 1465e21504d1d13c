/// The comparison of a whole output directory with a golden directory.
public struct GoldenComparison: Sendable, Equatable {
    /// conn.log, weird.log, notice.log, alarm.log, in that order.
    public var logs: [LogComparison]
    /// events.log against the golden events.txt, when both exist (informational).
    public var events: LogComparison?
    public var options: GoldenDiff.Options

    /// True when all four logs match; events never count.
    public var allMatch: Bool { logs.allSatisfy(\.matches) }

    /// The human-readable report `rpcreplay diff` prints: per log the counts
    /// `golden / matched / missing / extra`, notes on missing files, then the
    /// first differing lines (`-` missing from the output, `+` extra in it).
    public func report() -> String {
        var text = ""
        if options.connFieldsOnly {
            text += "conn.log compared on connection fields only (service and addl ignored)\n"
        }
        for log in logs {
            text += Self.describe(log, label: log.goldenName)
        }
        if let events {
            text += Self.describe(events, label: "events (informational, not a pass criterion)")
        }
        let failing = logs.filter { !$0.matches }.map(\.goldenName)
        text += failing.isEmpty
            ? "result: all \(logs.count) logs match\n"
            : "result: MISMATCH in \(failing.joined(separator: ", "))\n"
        return text
    }

    private static func describe(_ log: LogComparison, label: String) -> String {
        var text = "\(label): golden \(log.goldenCount) / matched \(log.matched) / missing \(log.missing) / extra \(log.extra)"
        text += log.matches ? "  ok\n" : "  MISMATCH\n"
        if !log.goldenFileExists { text += "  note: golden has no \(log.goldenName); counted as empty\n" }
        if !log.outputFileExists { text += "  note: output has no \(log.outputName); counted as empty\n" }
        if log.maskedLines > 0 {
            text += "  note: \(log.maskedLines) udp SHR lines (golden + output) compared with endpoints and service masked\n"
        }
        if log.missing > 0 {
            text += "  first \(log.firstMissing.count) of \(log.missing) missing (in golden, not in output):\n"
            for line in log.firstMissing { text += "    - " + String(decoding: line, as: UTF8.self) + "\n" }
        }
        if log.extra > 0 {
            text += "  first \(log.firstExtra.count) of \(log.extra) extra (in output, not in golden):\n"
            for line in log.firstExtra { text += "    + " + String(decoding: line, as: UTF8.self) + "\n" }
        }
        return text
    }
}
