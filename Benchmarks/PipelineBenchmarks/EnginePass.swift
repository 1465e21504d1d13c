import Benchmark
import Connections
import Engine
import Policy

/// Counts what the engine delivers and drops it: the benchmark measures the
/// pipeline, not the disk.
final class DiscardSink: EngineSink {
    var connections = 0
    var policyOutputs = 0
    var events = 0
    var warnings = 0

    func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation) { connections += 1 }
    func policyOutput(_ output: PolicyOutput) { policyOutputs += 1 }
    func event(_ line: EventLine) { events += 1 }
    func warning(_ text: String) { warnings += 1 }
}

/// `rpcreplay replay`'s pipeline: the reference's `port 111` filter, the full
/// default policy, one shard; output counted and discarded (or written as
/// logs into a directory).
enum EnginePass {
    static func run(_ path: String, logDirectory: String? = nil) throws -> Pass {
        let start = nowSeconds()
        let engine = try Engine(configuration: EngineConfiguration())
        let report: EngineReport
        if let logDirectory {
            let sink = try LogDirectorySink(directory: logDirectory, onWarning: { _ in })
            report = try engine.run(paths: [path], sink: sink)
            sink.close()
        } else {
            let sink = DiscardSink()
            report = try engine.run(paths: [path], sink: sink)
            blackHole(sink.connections &+ sink.policyOutputs &+ sink.warnings)
        }
        let seconds = nowSeconds() - start
        if let failure = report.failure { throw failure }
        return Pass(seconds: seconds, fileBytes: fileSize(path), packets: report.packetsRead,
                    processed: report.packetsMatched)
    }
}
