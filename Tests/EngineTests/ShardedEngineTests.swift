import CaptureIO
import Engine
import Foundation
import XCTest

/// `--shards N` changes nothing in the output: every corpus (and every reader
/// variant, damaged ones included) in both modes gives byte-identical logs,
/// events.log included, for 1, 2, 3, 4 and 8 shards and across two runs; so does
/// a larger trace made of corpora concatenated in time.
final class ShardedEngineTests: XCTestCase {
    static var corpora: [(label: String, path: String)] {
        EngineTestSupport.goldenCorpora.compactMap { corpus in (try? EngineTestSupport.trace(corpus)).map { (corpus, $0) } }
    }

    static var variants: [(label: String, path: String)] {
        let directory = EngineTestSupport.corpora.appendingPathComponent("variants")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { !$0.hasSuffix(".md") }.map { ($0, directory.appendingPathComponent($0).path) }
    }

    func testEveryCorpusGivesTheSameBytesForAnyShardCount() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let inputs = Self.corpora
        XCTAssertEqual(inputs.count, 12)
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
                let (againSharded, _) = try runs.replay(mode: mode, shards: 8, tag: "-again")
                try ShardRuns.assertSameLogs(one, againSharded, "\(input.label)/\(mode) second run, 8 shards")
            }
        }
    }

    /// The reader variants (other containers, damaged files that stop at a fault):
    /// 1 and 3 shards agree.
    func testEveryVariantGivesTheSameBytesWithThreeShards() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let inputs = Self.variants
        guard !inputs.isEmpty else { throw XCTSkip("no variants") }
        for input in inputs {
            let runs = ShardRuns(scratch: scratch, paths: [input.path], label: input.label)
            for mode in EngineTestSupport.modes {
                let (_, reports) = try runs.assertShardCountsAgree(mode: mode, counts: [3], interleaved: false)
                XCTAssertEqual(reports[3]?.failure.map { "\($0)" }, reports[1]?.failure.map { "\($0)" }, input.label)
                XCTAssertNil(reports[3]?.fallback, input.label)
            }
        }
    }
}
