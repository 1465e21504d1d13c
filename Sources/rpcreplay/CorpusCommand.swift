import ArgumentParser

/// `rpcreplay corpus`: tools that make and reshape corpora (not used in replays).
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Make corpus files: multi-frame zstd packing, format conversion, synthetic traffic.",
        subcommands: [CorpusPackCommand.self, CorpusConvertCommand.self, CorpusSynthCommand.self])
}
