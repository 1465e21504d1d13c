import ArgumentParser
import Foundation
import GoldenDiff

/// `rpcreplay diff`: compares a replay's logs with a corpus golden (GOLDEN.md rules).
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare replay logs with golden logs (multisets of lines, GOLDEN.md rules).",
        discussion: """
            Compares conn.log, weird.log, notice.log and alarm.log of OUT_DIR with GOLDEN_DIR \
            as multisets of lines; udp SHR lines of conn.log are compared with endpoints and \
            service masked. events.log is compared with the golden events.txt when both exist \
            (informational only). A file missing on one side counts as empty. \
            Exit status: 0 when all four logs match (or with --bless), 1 otherwise.
            """)

    @Flag(help: "After printing the comparison, copy OUT_DIR's logs into GOLDEN_DIR (creating it; events.log becomes events.txt) and exit 0.")
    var bless = false

    @Option(help: "How many missing and extra lines to print per log.")
    var show: Int = 5

    @Flag(name: .customLong("conn-fields-only"), help: "Ignore conn.log's service column and addl text (connection-layer check).")
    var connFieldsOnly = false

    @Argument(help: ArgumentHelp("Golden directory, e.g. corpora/NAME/golden/default.", valueName: "GOLDEN_DIR"))
    var goldenDir: String

    @Argument(help: ArgumentHelp("Directory holding the replay's logs.", valueName: "OUT_DIR"))
    var outDir: String

    func validate() throws {
        guard show >= 0 else { throw ValidationError("--show must be 0 or more") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("OUT_DIR \(outDir) is not a directory")
        }
    }

    func run() throws {
        if !FileManager.default.fileExists(atPath: goldenDir) {
            print("note: golden directory \(goldenDir) does not exist; every golden log counts as empty")
        }
        let comparison = try GoldenDiff.compare(
            goldenDirectory: goldenDir, outputDirectory: outDir,
            options: .init(showLimit: show, connFieldsOnly: connFieldsOnly))
        print(comparison.report(), terminator: "")
        if bless {
            let written = try GoldenDiff.bless(outputDirectory: outDir, into: goldenDir)
            print("blessed: wrote \(written.joined(separator: ", ")) to \(goldenDir)")
            return
        }
        if !comparison.allMatch { throw ExitCode(1) }
    }
}
