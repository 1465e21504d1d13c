import ArgumentParser
import CaptureIO

/// `rpcreplay info`: what a capture file holds, in the terms capinfos uses, so
/// the two can be compared directly.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe capture files: format, compression, link types, packets, data bytes, time span.",
        discussion: """
            Exit status: 0 when every file was read to its end, 3 when a file could not \
            be read or is corrupt (the error, with file and byte offset, goes to stderr; \
            what was read before the fault is still printed).
            """)

    @Flag(help: "Print one JSON object per file per line.")
    var json = false

    @Flag(help: "Add reader statistics (copied bytes, stream bytes, windows, skipped blocks and frames).")
    var stats = false

    @Argument(help: "Capture files (pcap or pcapng, plain or zstd).")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one capture file") }
    }

    func run() throws {
        var failed = false
        for (index, path) in files.enumerated() {
            let summary: CaptureSummary
            do {
                summary = try CaptureSummary(path: path)
            } catch {
                printError(error.description)
                failed = true
                continue
            }
            if json {
                var line = summary.json
                if stats { line.add("stats", summary.statisticsJSON) }
                print(line.rendered)
            } else {
                if index > 0 { print("") }
                print(summary.humanReadable(withStatistics: stats))
            }
            if let error = summary.error {
                printError(error.description)
                failed = true
            }
        }
        if failed { throw ExitCode(3) }
    }
}
