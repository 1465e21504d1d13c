import Engine
import Foundation
import XCTest

/// Every corpus with goldens, in both modes, replayed through the library and
/// judged by the three criteria of `GoldenCriteria`: each corpus/mode/criterion
/// is its own assertion, whose message is the difference report.
final class GoldenCorpusTests: XCTestCase {
    /// The corpora these tests know; `testEveryGoldenCorpusHasATest` fails when a
    /// new corpus directory with goldens appears without being added here.
    static let corpora = [
        "rpcbind-bad-ports", "rpcbind-rpcinfo-client", "rpcbind-v2-tcp-framing", "rpcbind-v2-udp-dialogues",
        "rpcbind-v2-udp-errors", "rpcbind-v34-rpcbind", "synth-mix-small", "synth-nasty", "zeek-mount-base",
        "zeek-nfs-write", "zeek-portmapper-many-unanswered-calls", "zeek-rpc-portmap-sadmind",
    ]

    func testRPCBindBadPorts() throws { try check("rpcbind-bad-ports") }
    func testRPCBindRPCInfoClient() throws { try check("rpcbind-rpcinfo-client") }
    func testRPCBindV2TCPFraming() throws { try check("rpcbind-v2-tcp-framing") }
    func testRPCBindV2UDPDialogues() throws { try check("rpcbind-v2-udp-dialogues") }
    func testRPCBindV2UDPErrors() throws { try check("rpcbind-v2-udp-errors") }
    func testRPCBindV34RPCBind() throws { try check("rpcbind-v34-rpcbind") }
    func testSynthMixSmall() throws { try check("synth-mix-small") }
    func testSynthNasty() throws { try check("synth-nasty") }
    func testZeekMountBase() throws { try check("zeek-mount-base") }
    func testZeekNFSWrite() throws { try check("zeek-nfs-write") }
    func testZeekPortmapperManyUnansweredCalls() throws { try check("zeek-portmapper-many-unanswered-calls") }
    func testZeekRPCPortmapSadmind() throws { try check("zeek-rpc-portmap-sadmind") }

    func testEveryGoldenCorpusHasATest() {
        XCTAssertEqual(EngineTestSupport.goldenCorpora, Self.corpora.sorted(),
                       "corpora/*/golden and the test list differ: add a test method for the new corpus")
    }

    /// Replays `corpus` in both modes and checks the three criteria.
    private func check(_ corpus: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let trace = try EngineTestSupport.trace(corpus)
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        for mode in EngineTestSupport.modes {
            let output = scratch.appendingPathComponent(mode)
            let run = try EngineTestSupport.replay([trace], mode: mode, into: output)
            XCTAssertNil(run.report.failure, "\(corpus)/\(mode): the trace should read to its end", file: file, line: line)
            let golden = EngineTestSupport.goldenDirectory(corpus, mode)
            if let report = try GoldenCriteria.connectionLayer(golden: golden, output: output.path) {
                XCTFail("\(corpus)/\(mode) [Connection layer]\n\(report)", file: file, line: line)
            }
            if let report = try GoldenCriteria.sunRPC(golden: golden, output: output.path) {
                XCTFail("\(corpus)/\(mode) [Sun RPC]\n\(report)", file: file, line: line)
            }
            if let report = try GoldenCriteria.policy(golden: golden, output: output.path) {
                XCTFail("\(corpus)/\(mode) [Policy: all four logs]\n\(report)", file: file, line: line)
            }
        }
    }
}
