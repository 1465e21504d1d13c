import Engine
import Foundation
import XCTest

/// Reply-first UDP flows (first packet from 111/udp to a non-server port): the
/// reference logs garbage endpoints there (GOLDEN.md rule 2 masks them); RPCReplay
/// writes the true endpoints with the roles the flip intends (orig = the client),
/// and keeps everything else the reference shows: every packet counted as
/// responder traffic, `SHR`, no RPC analysis.
final class ReplyFirstUDPTests: XCTestCase {
    func testTrueEndpointsAndNoRPCAnalysis() throws {
        let client = TraceBuilder.Endpoint(address: [192, 168, 1, 7], port: 40001)
        let server = TraceBuilder.Endpoint(address: [192, 168, 1, 1], port: 111)
        var trace = TraceBuilder()
        let reply = PortmapMessages.getportReply(xid: 7, port: 2049)  // 28 bytes
        trace.udp(5.0, from: server, to: client, payload: reply)
        trace.udp(5.25, from: server, to: client, payload: reply)
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let path = scratch.appendingPathComponent("reply-first.pcap").path
        try trace.write(to: path)
        for mode in EngineTestSupport.modes {
            let output = scratch.appendingPathComponent(mode)
            try EngineTestSupport.replay([path], mode: mode, into: output)
            XCTAssertEqual(try EngineTestSupport.lines(output.appendingPathComponent("conn.log")),
                           ["5.000000 0.250000 192.168.1.7 192.168.1.1 portmap 40001 111 udp ? 56 SHR X"], mode)
            XCTAssertEqual(try EngineTestSupport.lines(output.appendingPathComponent("events.log")), [],
                           "\(mode): no unpaired_RPC_response, no RPC events")
        }
    }
}
