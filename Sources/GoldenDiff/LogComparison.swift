/// The outcome of comparing one log with its golden as multisets of lines.
public struct LogComparison: Sendable, Equatable {
    /// File name in the golden directory (e.g. `conn.log`, `events.txt`).
    public var goldenName: String
    /// File name in the output directory (e.g. `conn.log`, `events.log`).
    public var outputName: String
    public var goldenFileExists: Bool
    public var outputFileExists: Bool
    /// Lines in the golden file.
    public var goldenCount: Int
    /// Lines in the output file.
    public var outputCount: Int
    /// Golden lines paired with an equal output line (duplicates pair one to one).
    public var matched: Int
    /// Golden lines without a partner in the output.
    public var missing: Int
    /// Output lines without a partner in the golden.
    public var extra: Int
    /// The first `limit` missing lines, as written in the golden, in golden file order.
    public var firstMissing: [[UInt8]]
    /// The first `limit` extra lines, as written in the output, in output file order.
    public var firstExtra: [[UInt8]]
    /// conn.log lines (golden + output) compared with udp/SHR endpoint masking.
    public var maskedLines: Int

    /// True when both multisets are equal.
    public var matches: Bool { missing == 0 && extra == 0 }

    /// Compares two logs as multisets of lines.
    ///
    /// Order is ignored and duplicates count: a line written twice in the
    /// golden needs two equal lines in the output. Which duplicate is reported
    /// as missing/extra is fixed: earlier occurrences pair first, so the
    /// reported lines are the later ones, in file order.
    /// - Parameters:
    ///   - golden: the golden lines.
    ///   - output: the replay's lines.
    ///   - key: maps a line to what is compared (identity, or conn.log masking).
    ///   - limit: how many missing and extra lines to keep for display.
    /// - Returns: counts and the first differing lines.
    static func compare(
        golden: LogLines, goldenName: String, output: LogLines, outputName: String,
        limit: Int, key: ([UInt8]) -> (key: [UInt8], masked: Bool)
    ) -> LogComparison {
        var maskedLines = 0
        func keys(_ lines: [[UInt8]]) -> [[UInt8]] {
            lines.map { line in
                let (key, masked) = key(line)
                if masked { maskedLines += 1 }
                return key
            }
        }
        let goldenKeys = keys(golden.lines)
        let outputKeys = keys(output.lines)

        // Lines of `lines` left over after pairing with `others`, in file order.
        func unpaired(_ lines: [[UInt8]], _ lineKeys: [[UInt8]], against others: [[UInt8]]) -> (count: Int, first: [[UInt8]]) {
            var available: [[UInt8]: Int] = [:]
            for other in others { available[other, default: 0] += 1 }
            var count = 0
            var first: [[UInt8]] = []
            for (line, lineKey) in zip(lines, lineKeys) {
                if let left = available[lineKey], left > 0 {
                    available[lineKey] = left - 1
                } else {
                    count += 1
                    if first.count < limit { first.append(line) }
                }
            }
            return (count, first)
        }
        let missing = unpaired(golden.lines, goldenKeys, against: outputKeys)
        let extra = unpaired(output.lines, outputKeys, against: goldenKeys)
        return LogComparison(
            goldenName: goldenName, outputName: outputName,
            goldenFileExists: golden.fileExists, outputFileExists: output.fileExists,
            goldenCount: golden.lines.count, outputCount: output.lines.count,
            matched: golden.lines.count - missing.count, missing: missing.count, extra: extra.count,
            firstMissing: missing.first, firstExtra: extra.first, maskedLines: maskedLines)
    }
}
