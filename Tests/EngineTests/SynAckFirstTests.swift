import Engine
import Foundation
import XCTest

/// The one case without a golden: the reference crashes on a TCP connection
/// whose first packet is the server's SYN+ACK, followed by RPC traffic
/// (GOLDEN.md). RPCReplay must survive it and give the connection the
/// originator the role-flip rule intends: the non-server side (SEMANTICS-CONN §2.2).
final class SynAckFirstTests: XCTestCase {
    let client = TraceBuilder.Endpoint(address: [10, 0, 0, 1], port: 40000)
    let server = TraceBuilder.Endpoint(address: [10, 0, 0, 2], port: 111)

    /// SYN+ACK, ACK, a GETPORT call and its reply, then a clean close.
    func makeTrace(into directory: URL) throws -> String {
        var trace = TraceBuilder()
        let call = PortmapMessages.record(PortmapMessages.getportCall(xid: 0x1234, program: 100_003, version: 3, protocolNumber: 17))
        let reply = PortmapMessages.record(PortmapMessages.getportReply(xid: 0x1234, port: 2049))
        let c0: UInt32 = 1000, s0: UInt32 = 5000
        trace.tcp(1.0, from: server, to: client, flags: TraceBuilder.syn | TraceBuilder.ack, seq: s0, ack: c0 + 1)
        trace.tcp(1.1, from: client, to: server, flags: TraceBuilder.ack, seq: c0 + 1, ack: s0 + 1)
        trace.tcp(1.2, from: client, to: server, flags: TraceBuilder.psh | TraceBuilder.ack, seq: c0 + 1, ack: s0 + 1,
                  payload: call)
        let c1 = c0 + 1 + UInt32(call.count)
        trace.tcp(1.3, from: server, to: client, flags: TraceBuilder.psh | TraceBuilder.ack, seq: s0 + 1, ack: c1,
                  payload: reply)
        let s1 = s0 + 1 + UInt32(reply.count)
        trace.tcp(1.4, from: client, to: server, flags: TraceBuilder.fin | TraceBuilder.ack, seq: c1, ack: s1)
        trace.tcp(1.5, from: server, to: client, flags: TraceBuilder.fin | TraceBuilder.ack, seq: s1, ack: c1 + 1)
        trace.tcp(1.6, from: client, to: server, flags: TraceBuilder.ack, seq: c1 + 1, ack: s1 + 1)
        let path = directory.appendingPathComponent("synack-first.pcap").path
        try trace.write(to: path)
        return path
    }

    func testSurvivesAndLogsTheClientAsOriginator() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let trace = try makeTrace(into: scratch)
        for mode in EngineTestSupport.modes {
            let output = scratch.appendingPathComponent(mode)
            let run = try EngineTestSupport.replay([trace], mode: mode, into: output)
            XCTAssertNil(run.report.failure)
            XCTAssertEqual(run.report.packetsMatched, 7)
            let conn = try EngineTestSupport.lines(output.appendingPathComponent("conn.log"))
            XCTAssertEqual(conn.count, 1, "\(mode): one connection: \(conn)")
            let fields = conn.first?.split(separator: " ").map(String.init) ?? []
            XCTAssertGreaterThanOrEqual(fields.count, 12, "\(mode): \(conn)")
            guard fields.count >= 12 else { continue }
            // start = the SYN+ACK, orig = the client (not the garbage the reference reads).
            XCTAssertEqual(fields[0], "1.000000", "\(mode): \(conn)")
            XCTAssertEqual(Array(fields[2...3]), ["10.0.0.1", "10.0.0.2"], "\(mode): \(conn)")
            XCTAssertEqual(Array(fields[5...7]), ["40000", "111", "tcp"], "\(mode): \(conn)")
            // Both sides closed: duration printed, state SF.
            XCTAssertEqual(fields[10], "SF", "\(mode): \(conn)")
        }
    }

    /// The RPC dialogue of that connection is analysed like any other 111/tcp one.
    func testRPCDialogueIsAnalysed() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let trace = try makeTrace(into: scratch)
        let output = scratch.appendingPathComponent("out")
        try EngineTestSupport.replay([trace], mode: "default", into: output)
        let events = try EngineTestSupport.lines(output.appendingPathComponent("events.log"))
        XCTAssertEqual(events, [
            // The synthesized SYN+ACK reaches a responder whose peer never sent a SYN
            // (SEMANTICS-CONN §3.3); weird.bro ignores this name.
            "1.100000 conn_weird 10.0.0.1:40000/tcp > 10.0.0.2:111/tcp name=unsolicited_SYN_response",
            "1.300000 pm_request_getport 10.0.0.1:40000/tcp > 10.0.0.2:111/tcp pr=[program=100003, version=3, is_tcp=F] p=2049/udp",
            "1.300000 rpc_call 10.0.0.1:40000/tcp > 10.0.0.2:111/tcp prog=100000 ver=2 proc=3 status=0 start_time=1.200000 call_len=48 reply_len=0",
        ])
        let conn = try EngineTestSupport.lines(output.appendingPathComponent("conn.log"))
        XCTAssertEqual(conn.first?.contains(" pm_getport 40000 111 tcp "), true, "\(conn)")
        let notices = try EngineTestSupport.lines(output.appendingPathComponent("notice.log"))
        XCTAssertEqual(notices.count, 1, "one SensitivePortmapperAccess: \(notices)")
    }
}
