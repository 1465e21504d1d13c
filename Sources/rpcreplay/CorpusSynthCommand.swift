import ArgumentParser
import CorpusSynth
import ProgressLine

/// `rpcreplay corpus synth OUT --megabytes N --seed S`: a deterministic synthetic
/// corpus of mixed traffic with portmapper dialogues and anomalies, for benchmarks
/// and end-to-end tests at any size.
struct CorpusSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a deterministic synthetic capture (classic pcap, Ethernet).",
        discussion: """
            Background traffic (bulk TCP transfers with ACKs, DNS over UDP, IPv6, 802.1Q \
            VLAN tags) mixed with portmapper dialogues on port 111 over UDP and TCP \
            (NULL/SET/UNSET/GETPORT/DUMP/CALLIT with realistic program numbers), and \
            anomalies: ports >= 65536 in SET and DUMP, unpaired replies, bad procedure \
            numbers, GARBAGE_ARGS replies, unanswered calls, retransmissions, record marks \
            split across TCP segments, a few bad checksums. The same arguments always \
            give a byte-identical file; timestamps derive from the seed. \
            One summary line goes to stdout.
            """)

    @Argument(help: "Output file (.pcap).")
    var output: String

    @Option(help: "Target size in megabytes (10^6 bytes; fractions allowed).")
    var megabytes: Double

    @Option(help: "Seed of every random choice.")
    var seed: UInt64

    @Option(name: .customLong("rpc-share"), help: "Fraction of frame bytes on port 111.")
    var rpcShare: Double = 0.02

    func validate() throws {
        guard megabytes.isFinite, megabytes >= 0.001, megabytes <= 1_000_000 else {
            throw ValidationError("--megabytes must be between 0.001 and 1000000")
        }
        guard rpcShare.isFinite, rpcShare >= 0, rpcShare <= 1 else {
            throw ValidationError("--rpc-share must be between 0 and 1")
        }
    }

    func run() throws {
        let configuration = CorpusSynthConfiguration(
            targetBytes: UInt64(megabytes * 1_000_000), seed: seed, rpcShare: rpcShare)
        let summary: CorpusSynthSummary
        do {
            // A line on stderr while a large file is written (terminal only; episodes are
            // frequent, so the clock is read every 64th).
            let reporter = ProgressReporter(label: "synth", quiet: false, checkEvery: 64)
            let total = configuration.targetBytes
            summary = try CorpusSynthesizer(path: output, configuration: configuration).run { packets, bytes in
                reporter.observe(ProgressSnapshot(packets: packets, bytes: bytes, totalBytes: total))
            }
            reporter.finish()
        } catch {
            removePartialOutput(output)
            printError(error.description)
            throw ExitCode(1)
        }
        let share = summary.frameBytes == 0 ? 0 : Double(summary.rpcFrameBytes) / Double(summary.frameBytes)
        print("\(output): \(summary.fileBytes) bytes, \(summary.packets) packets, "
            + "port-111 share \((share * 10000).rounded() / 10000), \(summary.rpcCalls) RPC calls, "
            + "\(summary.anomalies) anomalies, \(summary.badChecksums) bad checksums")
    }
}
