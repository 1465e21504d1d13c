import Foundation

/// Compares a replay's output directory with a golden directory the way
/// GOLDEN.md prescribes, and blesses outputs into goldens.
public enum GoldenDiff {
    /// The logs whose equality decides whether a corpus passes, in report order.
    public static let comparedLogs = ["conn.log", "weird.log", "notice.log", "alarm.log"]
    /// The golden event trace and the name under which the project writes it.
    /// Compared only as a debugging aid (never a pass criterion).
    public static let goldenEventsName = "events.txt"
    public static let outputEventsName = "events.log"

    /// Comparison settings.
    public struct Options: Sendable, Equatable {
        /// How many missing and how many extra lines to keep per log.
        public var showLimit: Int
        /// Ignore conn.log's service and addl (everything after flags), so the
        /// connection layer can be checked before the RPC layer produces its text.
        public var connFieldsOnly: Bool

        /// - Parameters:
        ///   - showLimit: differing lines kept per log and side (default 5).
        ///   - connFieldsOnly: also mask service and drop addl in conn.log.
        public init(showLimit: Int = 5, connFieldsOnly: Bool = false) {
            self.showLimit = max(0, showLimit)
            self.connFieldsOnly = connFieldsOnly
        }
    }

    /// Compares one log's contents. conn.log gets the udp/SHR endpoint masking
    /// (and `connFieldsOnly`); every other log is compared byte for byte.
    /// - Parameters:
    ///   - name: the log's file name; decides the conn.log rules.
    ///   - golden: the golden lines.
    ///   - output: the replay's lines.
    ///   - options: display limit and conn.log option.
    /// - Returns: counts and the first differing lines.
    public static func compareLog(
        named name: String, golden: LogLines, output: LogLines, options: Options = .init()
    ) -> LogComparison {
        compareLog(goldenName: name, golden: golden, outputName: name, output: output, options: options)
    }

    static func compareLog(
        goldenName: String, golden: LogLines, outputName: String, output: LogLines, options: Options
    ) -> LogComparison {
        let connFieldsOnly = options.connFieldsOnly
        if goldenName == "conn.log" {
            return LogComparison.compare(
                golden: golden, goldenName: goldenName, output: output, outputName: outputName,
                limit: options.showLimit, key: { ConnLineMask.key($0, connFieldsOnly: connFieldsOnly) })
        }
        return LogComparison.compare(
            golden: golden, goldenName: goldenName, output: output, outputName: outputName,
            limit: options.showLimit, key: { ($0, false) })
    }

    /// Compares every log of `outputDirectory` with `goldenDirectory`.
    ///
    /// A file missing on one side counts as empty (the comparison records that
    /// it was missing). events.log is compared with the golden events.txt only
    /// when both exist.
    /// - Parameters:
    ///   - goldenDirectory: e.g. `corpora/NAME/golden/default`.
    ///   - outputDirectory: the replay's log directory.
    ///   - options: display limit and conn.log option.
    /// - Returns: one comparison per compared log, plus the informational events one.
    /// - Throws: when a file exists but cannot be read.
    public static func compare(
        goldenDirectory: String, outputDirectory: String, options: Options = .init()
    ) throws -> GoldenComparison {
        let golden = URL(fileURLWithPath: goldenDirectory)
        let output = URL(fileURLWithPath: outputDirectory)
        var logs: [LogComparison] = []
        for name in comparedLogs {
            logs.append(compareLog(
                named: name,
                golden: try LogLines(path: golden.appendingPathComponent(name).path),
                output: try LogLines(path: output.appendingPathComponent(name).path),
                options: options))
        }
        var events: LogComparison? = nil
        let goldenEvents = try LogLines(path: golden.appendingPathComponent(goldenEventsName).path)
        let outputEvents = try LogLines(path: output.appendingPathComponent(outputEventsName).path)
        if goldenEvents.fileExists && outputEvents.fileExists {
            events = compareLog(
                goldenName: goldenEventsName, golden: goldenEvents,
                outputName: outputEventsName, output: outputEvents, options: options)
        }
        return GoldenComparison(logs: logs, events: events, options: options)
    }

    /// Makes the output the new golden: copies the four logs (a log missing from
    /// the output becomes an empty golden, which compares the same) and
    /// events.log as events.txt when the output has one. Creates the golden
    /// directory if needed. Other golden files (stderr.txt, SOURCE notes) stay.
    /// - Parameters:
    ///   - outputDirectory: the reviewed replay's log directory.
    ///   - goldenDirectory: the golden directory to overwrite.
    /// - Returns: the golden file names written, in order.
    /// - Throws: when the output directory does not exist or a file cannot be copied.
    @discardableResult
    public static func bless(outputDirectory: String, into goldenDirectory: String) throws -> [String] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BlessError.noOutputDirectory(outputDirectory)
        }
        let golden = URL(fileURLWithPath: goldenDirectory)
        let output = URL(fileURLWithPath: outputDirectory)
        try fm.createDirectory(at: golden, withIntermediateDirectories: true)
        var written: [String] = []
        var pairs = comparedLogs.map { ($0, $0) }
        if fm.fileExists(atPath: output.appendingPathComponent(outputEventsName).path) {
            pairs.append((outputEventsName, goldenEventsName))
        }
        for (outputName, goldenName) in pairs {
            let source = output.appendingPathComponent(outputName)
            let contents = fm.fileExists(atPath: source.path) ? try Data(contentsOf: source) : Data()
            // Atomic: an interrupted bless never leaves a half-written golden.
            try contents.write(to: golden.appendingPathComponent(goldenName), options: .atomic)
            written.append(goldenName)
        }
        return written
    }

    public enum BlessError: Error, CustomStringConvertible, Equatable {
        case noOutputDirectory(String)

        public var description: String {
            switch self {
            case .noOutputDirectory(let path): return "output directory \(path) does not exist"
            }
        }
    }
}
