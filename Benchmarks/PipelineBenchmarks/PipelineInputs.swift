import Foundation

/// The generated inputs (scripts/bench-pipeline.sh, made once into a cached
/// temporary directory) and the repository's corpora, which the RPC header
/// benchmark mines for real message prefixes.
struct PipelineInputs: Sendable {
    /// synth-mix-small repeated to ~128 MiB: decode + connection tracking.
    let mix: String
    /// synth-nasty repeated to ~64 MiB, nearly all port 111: the whole engine.
    let nasty: String
    /// Every corpus trace in the repository.
    let corpusTraces: [String]

    static func prepare() throws -> PipelineInputs {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rpcreplay-pipeline-bench").path
        let inputs = PipelineInputs(
            mix: directory + "/mix.pcap", nasty: directory + "/nasty.pcap",
            corpusTraces: try corpusTraces(in: root.appendingPathComponent("corpora").path))
        let fm = FileManager.default
        if !fm.fileExists(atPath: inputs.mix) || !fm.fileExists(atPath: inputs.nasty) {
            let script = Process()
            script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            script.arguments = ["bash", root.appendingPathComponent("scripts/bench-pipeline.sh").path, directory]
            try script.run()
            script.waitUntilExit()
            guard script.terminationStatus == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "bench-pipeline.sh failed"])
            }
        }
        return inputs
    }

    private static func corpusTraces(in corpora: String) throws -> [String] {
        let fm = FileManager.default
        return try fm.contentsOfDirectory(atPath: corpora).sorted().compactMap { name in
            for file in ["trace.pcap", "trace.pcapng", "trace.pcap.zst"] {
                let path = corpora + "/" + name + "/" + file
                if fm.fileExists(atPath: path) { return path }
            }
            return nil
        }
    }
}
