import Engine
import Foundation
import Connections
import Policy

/// The replay pipeline as `bench` times it: `rpcreplay replay`'s configuration
/// (default filter, policy and checksums, no events.log), cut off after one stage.
enum BenchPipeline {
    /// Runs the engine over `input` up to `stage` on `shards` shards. For `.write`
    /// the reference logs go to a fresh temporary directory, deleted afterwards
    /// (outside the timed part); `.policy` hands them to a sink that drops them.
    static func run(_ input: BenchInput, stage: EngineStage, shards: Int) throws -> BenchSample {
        var configuration = EngineConfiguration(shardCount: shards)
        configuration.lastStage = stage
        let engine = try Engine(configuration: configuration)
        let report: EngineReport
        let start: Double
        if stage == .write {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            start = monotonicSeconds()
            let sink = try LogDirectorySink(directory: directory)
            report = try engine.run(paths: [input.path], sink: sink)
            sink.close()
        } else {
            start = monotonicSeconds()
            report = try engine.run(paths: [input.path], sink: DiscardingSink())
        }
        let seconds = monotonicSeconds() - start
        if let failure = report.failure { throw BenchFailure("replay stopped: \(failure)") }
        return BenchSample(
            seconds: seconds, packets: report.packetsRead, capturedBytes: 0, streamBytes: input.streamBytes,
            filteredPackets: stage == .read ? nil : report.packetsMatched)
    }

    private static func temporaryDirectory() throws -> String {
        var template = Array((BenchInput.temporaryDirectory + "/rpcreplay-bench-logs-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw BenchFailure("cannot create a temporary directory in \(BenchInput.temporaryDirectory)")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// The policy stage's sink when the write stage is not measured: every record
/// is dropped, so what remains is the policy's own work.
final class DiscardingSink: EngineSink {
    func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation) {}
    func policyOutput(_ output: PolicyOutput) {}
    func event(_ line: EventLine) {}
    func warning(_ text: String) {}
}
