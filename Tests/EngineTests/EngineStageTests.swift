import Connections
import Engine
import Foundation
import Policy
import XCTest

/// `EngineConfiguration.lastStage`, the cut-off `rpcreplay bench` times stages with:
/// every cut-off reads the same packets, and nothing reaches the sink before the policy.
final class EngineStageTests: XCTestCase {
    /// Counts what reaches it.
    private final class CountingSink: EngineSink {
        var calls = 0
        func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation) { calls += 1 }
        func policyOutput(_ output: PolicyOutput) { calls += 1 }
        func event(_ line: EventLine) { calls += 1 }
        func warning(_ text: String) { calls += 1 }
    }

    private func run(_ stage: EngineStage, shards: Int, path: String) throws -> (EngineReport, sinkCalls: Int) {
        var configuration = EngineConfiguration(shardCount: shards)
        configuration.lastStage = stage
        let sink = CountingSink()
        let report = try Engine(configuration: configuration).run(paths: [path], sink: sink)
        XCTAssertNil(report.failure)
        return (report, sink.calls)
    }

    func testEveryCutOffReadsTheSamePacketsAndOnlyPolicyFeedsTheSink() throws {
        let path = try EngineTestSupport.trace("synth-nasty")
        for shards in [1, 2] {
            let (full, fullCalls) = try run(.write, shards: shards, path: path)
            XCTAssertGreaterThan(full.packetsMatched, 0)
            XCTAssertGreaterThan(full.output.connections, 0)
            XCTAssertGreaterThan(fullCalls, 0)
            for stage in EngineStage.allCases {
                let (report, calls) = try run(stage, shards: shards, path: path)
                XCTAssertEqual(report.packetsRead, full.packetsRead, "\(stage), \(shards) shards")
                // The read stage runs no filter.
                XCTAssertEqual(report.packetsMatched, stage == .read ? 0 : full.packetsMatched, "\(stage)")
                if stage >= .policy {
                    XCTAssertEqual(calls, fullCalls, "\(stage): the policy's output reaches the sink")
                    XCTAssertEqual(report.output, full.output, "\(stage)")
                } else {
                    XCTAssertEqual(calls, 0, "\(stage): nothing is written before the policy")
                    XCTAssertEqual(report.output, OutputStatistics(), "\(stage)")
                }
                if stage >= .analyze {
                    XCTAssertEqual(report.connections.udpConnectionsCreated + report.connections.tcpConnectionsCreated,
                                   full.connections.udpConnectionsCreated + full.connections.tcpConnectionsCreated)
                }
            }
        }
    }
}
