import CorpusSynth
import Engine
import Foundation
import XCTest

/// The sharded-engine issue's determinism criterion on a generated corpus: a
/// 50 MB `corpus synth` trace (portmapper dialogues over UDP and TCP with their
/// anomalies, inside bulk TCP, DNS, IPv6 and VLAN background) gives byte-identical
/// logs, events.log included, for 1, 2, 3, 4 and 8 shards and across two runs.
final class SynthCorpusDeterminismTests: XCTestCase {
    func testFiftyMegabyteSynthCorpusIsByteIdenticalForEveryShardCountAndRun() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let path = scratch.appendingPathComponent("synth-50mb.pcap").path
        let summary = try CorpusSynthesizer(
            path: path, configuration: CorpusSynthConfiguration(targetBytes: 50_000_000, seed: 2026, rpcShare: 0.05)
        ).run()
        XCTAssertGreaterThan(summary.fileBytes, 49_000_000)

        let runs = ShardRuns(scratch: scratch, paths: [path], label: "synth")
        for mode in EngineTestSupport.modes {
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode, counts: [2, 3, 4, 8], interleaved: false)
            // The corpus must exercise the analyzers, or identical output proves little.
            XCTAssertGreaterThan(reports[1]?.output.events ?? 0, 1000, mode)
            XCTAssertGreaterThan(try EngineTestSupport.lines(one.appendingPathComponent("conn.log")).count, 500, mode)
            // A second one-shard run writes the same bytes again.
            let (again, _) = try runs.replay(mode: mode, shards: 1, tag: "-again")
            try ShardRuns.assertSameLogs(one, again, "synth/\(mode) second run")
        }
    }
}
