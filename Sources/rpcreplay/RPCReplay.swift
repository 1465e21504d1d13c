import ArgumentParser
import CaptureIO

@main
struct RPCReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpcreplay",
        abstract: "Replay pcap/pcapng corpora through a Bro 1.5.3-compatible Sun RPC portmapper analyzer.",
        subcommands: [ReplayCommand.self, InfoCommand.self, CorpusCommand.self, DiffCommand.self, BenchCommand.self])
}
