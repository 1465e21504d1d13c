#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import ProgressLine
import CaptureIO
import Engine
import Policy

/// `rpcreplay replay`: runs capture files through the whole pipeline and writes
/// the reference's logs.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay capture files (one trace, in argument order) and write conn, weird, notice and alarm logs.",
        discussion: """
            Writes conn.log, weird.log, notice.log and alarm.log into DIR (always, even when \
            empty), plus events.log with --events. With --format json the same records are \
            written as JSON lines (*.jsonl). A one-line summary goes to stderr unless --quiet; \
            the reference's UDP `bad port number` warnings go to stderr as well.
            Exit status: 0 on success; 3 when a capture file is unreadable or corrupt (every \
            packet before the fault is replayed and the logs are written, ending with the \
            end-of-trace flush); 1 when the output cannot be written or the configuration or \
            filter is invalid.
            """)

    @Option(name: .customLong("out"), help: ArgumentHelp("Output directory.", valueName: "DIR"))
    var outputDirectory = "rpcreplay-out"

    @Flag(name: .customLong("no-checksums"), help: "Do not verify IP/UDP/TCP checksums (the reference's -C).")
    var noChecksums = false

    @Option(name: .customLong("filter"), help: ArgumentHelp("Capture filter (tcpdump syntax).", valueName: "EXPR"))
    var filterExpression = BPFFilter.defaultExpression

    @Flag(help: "Also write events.log: every portmapper, RPC and weird event in dispatch order.")
    var events = false

    @Option(name: .customLong("config"), help: ArgumentHelp("Policy configuration (YAML).", valueName: "FILE"))
    var configPath: String?

    @Option(help: "Log format: reference (text, as the reference writes it) or json (JSON lines).")
    var format: OutputFormat = .reference

    @Option(name: .customLong("notice-tag-prefix"),
            help: ArgumentHelp("Prefix of notice tags (default empty: @1, @2, ...).", valueName: "P"))
    var noticeTagPrefix: String?

    @Option(help: ArgumentHelp(
        "Shards flows are spread over, each on its own thread (default: the number of active cores). Reading, intake, the policy and the log writing run on threads of their own whatever N is. The output does not depend on it.",
        valueName: "N"))
    var shards: Int?

    @Flag(help: "No summary line on stderr.")
    var quiet = false

    @Argument(help: "Capture files (pcap or pcapng, plain or zstd), read as one trace.")
    var files: [String]

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case reference
        case json
    }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one capture file") }
        if let shards, !(1 ... 256).contains(shards) { throw ValidationError("--shards must be between 1 and 256") }
    }

    /// Online processors, as the default shard count.
    static var activeCores: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    func run() throws {
        var policy = PolicyConfiguration()
        if let configPath {
            do {
                policy = try PolicyConfiguration.load(path: configPath)
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
        if let noticeTagPrefix { policy.noticeTagPrefix = noticeTagPrefix }
        let configuration = EngineConfiguration(
            verifyChecksums: !noChecksums, filterExpression: filterExpression, policy: policy,
            recordEvents: events, shardCount: shards ?? Self.activeCores)

        let engine: Engine
        do {
            engine = try Engine(configuration: configuration)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        for file in files where OutputOverlap.isLogFile(file, in: outputDirectory) {
            printError("\(file) is one of the logs replay would write in \(outputDirectory); refusing to overwrite an input")
            throw ExitCode(1)
        }
        // The reference's stderr warnings come by the thousand in a large trace:
        // one write per line only when someone watches a terminal.
        let warnings = StandardErrorLines(buffered: isatty(2) == 0)
        let sink: LogDirectorySink
        do {
            sink = try LogDirectorySink(
                directory: outputDirectory, format: format == .json ? .json : .reference, events: events,
                onWarning: { warnings.append($0) })
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        // Terminal progress line (stderr is a terminal and no --quiet only).
        let reporter = ProgressReporter(label: "replay", quiet: quiet)
        if reporter.isEnabled {
            let total = ProgressReporter.totalFileBytes(files)
            let box = UncheckedSendable(reporter)
            engine.progress = { p in
                // zstd input: stream offsets count decompressed bytes, so no ETA.
                let known = p.reader.zstdFrames == 0 ? total : 0
                box.value.observe(ProgressSnapshot(packets: p.packetsRead, bytes: p.reader.streamBytes, totalBytes: known))
            }
        }
        let report: EngineReport
        do {
            report = try engine.run(paths: files, sink: sink)
        } catch {
            reporter.finish()
            sink.close()
            warnings.flush()
            printError(error.description)
            throw ExitCode(3)
        }
        reporter.finish()
        sink.close()
        warnings.flush()
        if !quiet {
            printError(Self.summary(report))
            if let fallback = report.fallback {
                printError("sharded run continued on one shard from packet \(fallback.packetSequence): \(fallback.reason)")
            }
        }
        if let failure = report.failure {
            printError(failure.description)
            throw ExitCode(3)
        }
    }

    /// `N packets read, M matched the filter, C connections, E events, W weirds, K notices`.
    static func summary(_ report: EngineReport) -> String {
        let o = report.output
        return "\(report.packetsRead) packets read, \(report.packetsMatched) matched the filter, "
            + "\(o.connections) connections, \(o.events) events, \(o.weirds) weirds, \(o.notices) notices"
    }
}

/// Writes all of `bytes` to stderr (a short write is continued, an error drops the rest).
func writeStandardError(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { bytes in
        var rest = bytes
        while !rest.isEmpty {
            let n = write(2, rest.baseAddress, rest.count)
            if n <= 0 { break }
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }
}

/// Raw lines for stderr (the reference's own warnings carry no program prefix),
/// written at once or gathered into 64 KiB writes. Used on the
/// thread that writes the logs; `flush` before anything else goes to stderr.
final class StandardErrorLines {
    private let buffered: Bool
    private var pending: [UInt8] = []
    private static let limit = 1 << 16

    init(buffered: Bool) {
        self.buffered = buffered
    }

    func append(_ line: String) {
        pending.append(contentsOf: line.utf8)
        pending.append(UInt8(ascii: "\n"))
        if !buffered || pending.count >= Self.limit { flush() }
    }

    func flush() {
        guard !pending.isEmpty else { return }
        writeStandardError(pending)
        pending.removeAll(keepingCapacity: true)
    }
}

/// Output-over-input guard: an input that is one of the log files replay writes
/// would be truncated while it is still memory-mapped (SIGBUS).
enum OutputOverlap {
    static let logNames = ["conn", "weird", "notice", "alarm", "events"].flatMap { [$0 + ".log", $0 + ".jsonl"] }

    static func isLogFile(_ input: String, in directory: String) -> Bool {
        logNames.contains { sameFile(input, directory + "/" + $0) }
    }
}

/// The progress reporter is used from the dispatcher's thread only while the run
/// lasts, and from this thread only after it: never from two threads at once.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
