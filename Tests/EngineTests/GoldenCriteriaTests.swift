import Foundation
import XCTest

/// The criteria can fail, and each fails for its own layer: a replay that passes
/// is damaged in one place at a time.
final class GoldenCriteriaTests: XCTestCase {
    enum Verdict: Equatable { case pass, fail }

    func verdicts(_ golden: String, _ output: URL) throws -> [Verdict] {
        [
            try GoldenCriteria.connectionLayer(golden: golden, output: output.path) == nil ? .pass : .fail,
            try GoldenCriteria.sunRPC(golden: golden, output: output.path) == nil ? .pass : .fail,
            try GoldenCriteria.policy(golden: golden, output: output.path) == nil ? .pass : .fail,
        ]
    }

    /// Rewrites one log of a copy of `source`, replacing the first line that contains `match`.
    func damaged(_ source: URL, _ log: String, _ match: String, with replacement: String?, in scratch: URL, as name: String)
        throws -> URL {
        let copy = scratch.appendingPathComponent(name)
        try FileManager.default.copyItem(at: source, to: copy)
        var lines = try EngineTestSupport.lines(copy.appendingPathComponent(log))
        let index = try XCTUnwrap(lines.firstIndex { $0.contains(match) }, "\(log) has no line with \(match)")
        if let replacement {
            lines[index] = lines[index].replacingOccurrences(of: match, with: replacement)
        } else {
            lines.remove(at: index)
        }
        try (lines.map { $0 + "\n" }.joined()).write(to: copy.appendingPathComponent(log), atomically: true, encoding: .utf8)
        return copy
    }

    func testEachCriterionFailsForItsOwnLayer() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let corpus = "rpcbind-v34-rpcbind"
        let golden = EngineTestSupport.goldenDirectory(corpus, "default")
        let output = scratch.appendingPathComponent("replay")
        try EngineTestSupport.replay([try EngineTestSupport.trace(corpus)], mode: "default", into: output)
        XCTAssertEqual(try verdicts(golden, output), [.pass, .pass, .pass])

        // A byte count in conn.log: the connection layer's field, and a policy log.
        let bytes = try damaged(output, "conn.log", " tcp ", with: " tcp 1", in: scratch, as: "bytes")
        XCTAssertEqual(try verdicts(golden, bytes), [.fail, .pass, .fail])
        // A checksum weird event: connection layer only (events are no policy log).
        let weird = try damaged(output, "events.log", "name=bad_TCP_checksum", with: nil, in: scratch, as: "weird")
        XCTAssertEqual(try verdicts(golden, weird), [.fail, .pass, .pass])
        // A weird.log line: policy only.
        let weirdLine = try damaged(output, "weird.log", "bad_UDP_checksum", with: "bad_UDP_checksum2", in: scratch, as: "line")
        XCTAssertEqual(try verdicts(golden, weirdLine), [.pass, .pass, .fail])

        let nochecksum = EngineTestSupport.goldenDirectory(corpus, "nochecksum")
        let clean = scratch.appendingPathComponent("nochecksum")
        try EngineTestSupport.replay([try EngineTestSupport.trace(corpus)], mode: "nochecksum", into: clean)
        XCTAssertEqual(try verdicts(nochecksum, clean), [.pass, .pass, .pass])
        // An RPC event: Sun RPC only.
        let call = try damaged(clean, "events.log", " rpc_call ", with: nil, in: scratch, as: "call")
        XCTAssertEqual(try verdicts(nochecksum, call), [.pass, .fail, .pass])
        // A handler-raised weird event (conn_weird_addl bad_pm_port): Sun RPC.
        let addl = try damaged(clean, "events.log", "addl=port", with: "addl=port 1", in: scratch, as: "addl")
        XCTAssertEqual(try verdicts(nochecksum, addl), [.pass, .fail, .pass])
        // A notice tag: policy only.
        let tag = try damaged(clean, "notice.log", "::@1", with: "::@9", in: scratch, as: "tag")
        XCTAssertEqual(try verdicts(nochecksum, tag), [.pass, .pass, .fail])
    }
}
