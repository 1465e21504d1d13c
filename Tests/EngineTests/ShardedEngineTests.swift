import Engine
import Foundation
import GoldenDiff
import XCTest

/// The engine's shard plumbing (flow hash, in-band clock ticks, compressor expiry
/// on every shard, merge by record tag) with more than one shard: every log holds
/// the same lines as the one-shard run. Only the order of lines that the reference
/// takes from its global timer queue and hash tables (ties between shards, the
/// end-of-trace flush) is not reproduced yet, so lines are compared as multisets.
final class ShardedEngineTests: XCTestCase {
    func testTwoAndThreeShardsGiveTheLinesOfOne() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        for corpus in EngineTestSupport.goldenCorpora {
            let trace = try EngineTestSupport.trace(corpus)
            for mode in EngineTestSupport.modes {
                let one = scratch.appendingPathComponent("\(corpus)-\(mode)-1")
                try EngineTestSupport.replay([trace], mode: mode, into: one)
                for shards in [2, 3] {
                    let many = scratch.appendingPathComponent("\(corpus)-\(mode)-\(shards)")
                    try EngineTestSupport.replay([trace], mode: mode, into: many) { $0.shardCount = shards }
                    for log in ["conn.log", "weird.log", "notice.log", "alarm.log", "events.log"] {
                        // Named as a non-conn log so nothing is masked.
                        let comparison = GoldenDiff.compareLog(
                            named: "events.txt",
                            golden: try LogLines(path: one.appendingPathComponent(log).path),
                            output: try LogLines(path: many.appendingPathComponent(log).path),
                            options: .init(showLimit: 5))
                        XCTAssertTrue(comparison.matches,
                                      "\(corpus)/\(mode) \(shards) shards, \(log): missing "
                                      + "\(comparison.firstMissing.map { String(decoding: $0, as: UTF8.self) }) extra "
                                      + "\(comparison.firstExtra.map { String(decoding: $0, as: UTF8.self) })")
                    }
                }
            }
        }
    }
}
