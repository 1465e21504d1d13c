import CaptureIO
import Engine
import Foundation
import XCTest

/// `--shards N` changes nothing in the output: every corpus (and every reader
/// variant, damaged ones included) in both modes gives byte-identical logs,
/// events.log included, for 1, 2, 3, 4 and 8 shards and across two runs; so does
/// a larger trace made of corpora concatenated in time.
final class ShardedEngineTests: XCTestCase {
    static var allInputs: [(label: String, path: String)] {
        var inputs = EngineTestSupport.goldenCorpora.compactMap { corpus in
            (try? EngineTestSupport.trace(corpus)).map { (corpus, $0) }
        }
        let variants = EngineTestSupport.corpora.appendingPathComponent("variants")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: variants.path)) ?? []
        for name in names.sorted() where !name.hasSuffix(".md") {
            inputs.append((name, variants.appendingPathComponent(name).path))
        }
        return inputs
    }

    func testEveryCorpusGivesTheSameBytesForAnyShardCount() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let inputs = Self.allInputs
        XCTAssertGreaterThanOrEqual(inputs.count, 12)
        for input in inputs {
            let runs = ShardRuns(scratch: scratch, paths: [input.path], label: input.label)
            for mode in EngineTestSupport.modes {
                let (one, reports) = try runs.assertShardCountsAgree(mode: mode, interleaved: input.label == "synth-nasty")
                for (count, report) in reports where count > 1 {
                    XCTAssertNil(report.fallback, "\(input.label)/\(mode) \(count) shards ran sharded to the end")
                    XCTAssertEqual(report.shardCount, count)
                }
                let (again, _) = try runs.replay(mode: mode, shards: 1, tag: "-again")
                try ShardRuns.assertSameLogs(one, again, "\(input.label)/\(mode) second run")
                let (againSharded, _) = try runs.replay(mode: mode, shards: 3, tag: "-again")
                try ShardRuns.assertSameLogs(one, againSharded, "\(input.label)/\(mode) second run, 3 shards")
            }
        }
    }
}
