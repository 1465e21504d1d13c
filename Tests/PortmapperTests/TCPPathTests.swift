import Portmapper
import SunRPC
import XCTest

/// The TCP path: record marking, resync, interpreter (SEMANTICS-RPC §1.3, §2.3).
final class TCPPathTests: XCTestCase {
    let t0 = 1795407885.703689
    let t1 = 1795407885.703861
    let tEnd = 1795407885.703897

    let nullCall = XDR.call(xid: 0x10, procedure: 0)
    let nullReply = XDR.accepted(xid: 0x10)
    let getportCall = XDR.call(xid: 0x11, procedure: 3, arguments: [100_003, 3, 6, 0])
    let getportReply = XDR.accepted(xid: 0x11, results: [0])

    // MARK: Record marking

    func testSingleRecordCallAndReply() {
        // Golden rpcbind-v2-tcp-framing: NULL → call_len=32 reply_len=0.
        var h = TCPHarness()
        h.send(XDR.record(nullCall), at: t0)
        h.send(XDR.record(nullReply), orig: false, at: t1)
        XCTAssertEqual(h.lines, [
            "1795407885.703861 pm_request_null 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp",
            "1795407885.703861 rpc_call 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp prog=100000 ver=2 proc=0 status=0 start_time=1795407885.703689 call_len=32 reply_len=0",
        ])
        h.finish(at: tEnd)
        XCTAssertEqual(h.buffer.count, 2, "the originator ended on a record boundary")
    }

    func testTwoRecordsInOneSegmentShareTheirStartTime() {
        // Golden rpcbind-v2-tcp-framing conn 48162: both calls start at .703689.
        var h = TCPHarness()
        h.send(XDR.record(getportCall) + XDR.record(nullCall), at: t0)
        h.send(XDR.record(getportReply), orig: false, at: t1)
        h.send(XDR.record(nullReply), orig: false, at: 1795407885.703893)
        XCTAssertEqual(h.shortLines, [
            "pm_request_getport pr=[program=100003, version=3, is_tcp=T] p=0/tcp",
            "rpc_call prog=100000 ver=2 proc=3 status=0 start_time=1795407885.703689 call_len=48 reply_len=0",
            "pm_request_null",
            "rpc_call prog=100000 ver=2 proc=0 status=0 start_time=1795407885.703689 call_len=32 reply_len=0",
        ])
    }

    func testRecordsSpanningSegmentsAndFragments() {
        // A call in two fragments (20 + 36 bytes), the stream cut at odd places;
        // the record is interpreted when its last byte arrives.
        let stream = XDR.fragment(Array(getportCall[0..<20]), last: false)
            + XDR.fragment(Array(getportCall[20...]), last: true)
            + XDR.record(nullCall)
        var h = TCPHarness()
        h.send(Array(stream[0..<13]), at: t0)
        h.send(Array(stream[13..<27]), at: t0 + 1)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 0)
        h.send(Array(stream[27..<64]), at: t0 + 2)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 1, "completed by the last byte of this chunk")
        h.send(Array(stream[64...]), at: t0 + 3)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 2)
        XCTAssertEqual(h.analyzer.originatorReassembler.phase, .complete)
        h.send(XDR.record(getportReply) + XDR.record(nullReply), orig: false, at: t1)
        XCTAssertEqual(h.shortLines.filter { $0.hasPrefix("rpc_call") }, [
            "rpc_call prog=100000 ver=2 proc=3 status=0 start_time=1795407887.703689 call_len=48 reply_len=0",
            "rpc_call prog=100000 ver=2 proc=0 status=0 start_time=1795407888.703689 call_len=32 reply_len=0",
        ])
        XCTAssertEqual(h.weirdNames, [])
    }

    func testZeroLengthRecordWaitsForTheNextData() {
        // Derived: a zero-length record is delivered (→ partial_RPC) only when
        // more bytes arrive; then the following record is processed normally.
        var h = TCPHarness()
        h.send(XDR.record(nullCall), at: t0)
        h.send(XDR([0x8000_0000]).bytes, at: t0 + 1)
        XCTAssertEqual(h.weirdNames, [])
        XCTAssertEqual(h.analyzer.originatorReassembler.phase, .messageBuffer)
        h.send(XDR.record(XDR.call(xid: 0x12, procedure: 0)), at: t0 + 2)
        XCTAssertEqual(h.weirdNames, ["partial_RPC"])
        XCTAssertEqual(h.analyzer.pendingCalls.count, 2)
        // Within one chunk the zero-length record is delivered at once.
        h.send(XDR([0x8000_0000]).bytes + XDR.record(XDR.call(xid: 0x13, procedure: 0)), at: t0 + 3)
        XCTAssertEqual(h.weirdNames, ["partial_RPC", "partial_RPC"])
        XCTAssertEqual(h.analyzer.pendingCalls.count, 3)
    }

    func testExcessiveRecordLengthIsClampedAndRestMisread() {
        // Derived (golden synth-nasty shows the weird): a 70000-byte record is
        // clamped to 65536; the 4464 bytes after the clamp are read as markers.
        var message = XDR.call(xid: 0x20, procedure: 0)
        message += [UInt8](repeating: 0, count: 70000 - message.count)
        var h = TCPHarness()
        h.send(XDR.record(message), segments: [1448, 1448, 30000, 30000], at: t0)
        XCTAssertEqual(h.weirdNames, ["excessive_RPC_len"])
        XCTAssertEqual(h.analyzer.pendingCalls.count, 1, "the clamped record was interpreted (zero padding tolerated)")
        // Accumulated fragments: 40000 + 40000 > 65536 → one weird, at the second marker.
        var h2 = TCPHarness()
        let part = [UInt8](repeating: 0, count: 40000)
        h2.send(XDR.fragment(Array(message[0..<40] + part[40...]), last: false) + XDR.fragment(part, last: true), at: t0)
        XCTAssertEqual(h2.weirdNames, ["excessive_RPC_len"])
        XCTAssertEqual(h2.analyzer.pendingCalls.count, 1)
    }

    // MARK: Resync (§1.3.1)

    func testSevenByteDribbleIsLost() {
        // Golden rpcbind-v2-tcp-framing conn 48160: the call sent in 7-byte
        // segments is discarded, the reply is unpaired, and at teardown
        // partial_RPC_request fires (originator closed, sent bytes).
        var h = TCPHarness()
        h.send(XDR.record(nullCall), segments: Array(repeating: 7, count: 7), at: t0)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 0)
        XCTAssertEqual(h.analyzer.statistics.resyncDiscardedChunks, 7)
        h.send(XDR.record(nullReply), orig: false, at: 1795407885.693222)
        h.finish(closed: true, sentData: true, at: tEnd)
        XCTAssertEqual(h.lines, [
            "1795407885.693222 conn_weird 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp name=unpaired_RPC_response",
            "1795407885.703897 conn_weird 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp name=partial_RPC_request",
        ])
    }

    func testTwelveByteFirstFragmentLosesTheWholeCall() {
        // Golden rpcbind-v2-tcp-framing conn 48148: marker 0x0000000c < 16 →
        // discarded; the next fragment's word 2 is not a msg_type 0 → discarded.
        var h = TCPHarness()
        h.send(XDR.fragment(Array(getportCall[0..<12]), last: false), at: t0)
        h.send(XDR.fragment(Array(getportCall[12...]), last: true), at: t0)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 0)
        XCTAssertEqual(h.buffer.count, 0)
        XCTAssertTrue(h.analyzer.originatorReassembler.isResynchronizing)
        h.finish(closed: false, sentData: true, at: tEnd)
        XCTAssertEqual(h.buffer.count, 0, "no FIN from the originator (RSTR): no partial_RPC_request")
    }

    func testSixByteFirstReplySegmentLosesTheReply() {
        // Golden synth-mix-small conn 26210: no events; the call stays pending.
        var h = TCPHarness()
        h.send(XDR.record(getportCall), at: t0)
        h.send(XDR.record(getportReply), segments: [6], orig: false, at: t1)
        h.finish(closed: true, sentData: true, at: tEnd)
        XCTAssertEqual(h.buffer.count, 0)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 1)
        XCTAssertEqual(h.analyzer.statistics.resyncDiscardedChunks, 2)
    }

    func testResyncRequiresMarkerAtLeast16AndDirectionalMessageType() {
        var h = TCPHarness()
        // A reply on the originator side fails its check (word 2 must be 0).
        h.send(XDR.record(nullReply), orig: true, at: t0)
        // A call on the responder side fails (word 2 must be 1).
        h.send(XDR.record(nullCall), orig: false, at: t0)
        XCTAssertEqual(h.buffer.count, 0)
        XCTAssertEqual(h.analyzer.statistics.resyncDiscardedChunks, 2)
        // A marker with the last-fragment bit is ≥ 16 even for a short record.
        h.send(XDR([0x8000_000c, 1, 0]).bytes, orig: true, at: t0)
        XCTAssertFalse(h.analyzer.originatorReassembler.isResynchronizing)
        XCTAssertEqual(h.weirdNames, [], "12-byte call record is incomplete until 4 more bytes arrive")
    }

    func testContentGapDiscardsPartialRecordAndResyncs() {
        var h = TCPHarness()
        let record = XDR.record(getportCall)
        h.send(Array(record[0..<30]), at: t0)
        h.analyzer.contentGap(isOrig: true)
        XCTAssertTrue(h.analyzer.originatorReassembler.isResynchronizing)
        h.send(Array(record[40...]), at: t0 + 1)  // tail of the lost record: discarded (< 12 bytes)
        h.send(XDR.record(nullCall), at: t0 + 2)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 1)
        XCTAssertEqual(h.weirdNames, [])
        // A gap leaves the reassembler in RECORD_MARKER, so teardown after a
        // gap reports partial_RPC_request even on a record boundary.
        h.analyzer.contentGap(isOrig: true)
        h.finish(at: tEnd)
        XCTAssertEqual(h.weirdNames, ["partial_RPC_request"])
    }

    // MARK: Interpreter weirds

    func testShortRecordIsPartialRPC() {
        var h = TCPHarness()
        h.send(XDR.record(nullCall) + XDR.record([0, 0, 0, 1]), at: t0)
        XCTAssertEqual(h.weirdNames, ["partial_RPC"])
    }

    func testExcessRPCIgnoresZeroPadding() {
        var h = TCPHarness()
        h.send(XDR.record(XDR.call(xid: 1, procedure: 0, trailing: [0, 0, 0, 0])), at: t0)
        XCTAssertEqual(h.weirdNames, [])
        h.send(XDR.record(XDR.call(xid: 2, procedure: 0, trailing: [0, 0, 0, 1])), at: t0)
        XCTAssertEqual(h.weirdNames, ["excess_RPC"])
    }

    func testResponderCallAndOriginatorReply() {
        // Derived (no golden): both direction weirds; pairing ignores direction.
        var h = TCPHarness()
        h.send(XDR.record(nullCall), at: t0)                      // orig passes resync
        h.send(XDR.record(nullReply), orig: false, at: t0)        // resp passes resync
        h.send(XDR.record(XDR.call(xid: 0x30, procedure: 0)), orig: false, at: t0 + 1)
        h.send(XDR.record(XDR.accepted(xid: 0x30)), orig: true, at: t0 + 2)
        XCTAssertEqual(Array(h.shortLines.suffix(4)), [
            "conn_weird name=responder_RPC_call",
            "conn_weird name=originator_RPC_reply",
            "pm_request_null",
            "rpc_call prog=100000 ver=2 proc=0 status=0 start_time=1795407886.703689 call_len=32 reply_len=0",
        ])
    }

    func testRetransmissionShorterThanHeaderUnderflows() {
        // Golden synth-nasty conn 54569: a 92-byte AUTH_UNIX GETPORT call, then
        // a 16-byte record with the same xid → rexmit, underflow, partial; the
        // reply pairs with the first call.
        let unix = XDR.authBody(36)
        let call = XDR.call(xid: 0x00dd_b74d, procedure: 3, credential: (1, unix), arguments: [100_003, 2, 6, 0])
        XCTAssertEqual(call.count, 92)
        var h = TCPHarness()
        h.send(XDR.record(call), at: 1700000021.518111)
        h.send(XDR.record(XDR([0x00dd_b74d, 0, 2, 100_000]).bytes), at: 1700000021.518611)
        h.send(XDR.record(XDR.accepted(xid: 0x00dd_b74d, results: [2049])), orig: false, at: 1700000021.519111)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=RPC_rexmit_inconsistency",
            "conn_weird name=RPC_underflow",
            "conn_weird name=partial_RPC",
            "pm_request_getport pr=[program=100003, version=2, is_tcp=T] p=2049/tcp",
            "rpc_call prog=100000 ver=2 proc=3 status=0 start_time=1700000021.518111 call_len=84 reply_len=0",
        ])
    }

    func testRetransmissionRedecodesArgumentsKeepingStartAndLength() {
        // Derived: same xid, different arguments → rexmit weird, arguments
        // replaced; start time and call length stay those of the first call.
        var h = TCPHarness()
        h.send(XDR.record(getportCall), at: t0)
        h.send(XDR.record(XDR.call(xid: 0x11, procedure: 3, arguments: [100_021, 4, 17, 0], trailing: [0, 0, 0, 0])), at: t0 + 1)
        h.send(XDR.record(getportCall), at: t0 + 2)  // back to the stored bytes: consistent
        h.send(XDR.record(XDR.call(xid: 0x11, procedure: 3, arguments: [100_021, 4, 17, 0])), at: t0 + 3)
        h.send(XDR.record(XDR.accepted(xid: 0x11, results: [4045])), orig: false, at: t1 + 3)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=RPC_rexmit_inconsistency",
            "conn_weird name=RPC_rexmit_inconsistency",
            "pm_request_getport pr=[program=100021, version=4, is_tcp=F] p=4045/udp",
            "rpc_call prog=100000 ver=2 proc=3 status=0 start_time=1795407885.703689 call_len=48 reply_len=0",
        ])
    }

    func testUnpairedReplyIgnoresItsBody() {
        var h = TCPHarness()
        h.send(XDR.record(XDR.accepted(xid: 0x99, results: [1, 2, 3])), orig: false, at: t1)
        XCTAssertEqual(h.weirdNames, ["unpaired_RPC_response"], "no excess_RPC for the ignored body")
    }

    func testSuccessfulReplyToInvalidRequest() {
        // Golden rpcbind-rpcinfo-client conn 679 (rpcbind proc 11): bad_RPC,
        // partial_RPC; reply: successful_RPC_reply_to_invalid_request, rpc_call
        // with the whole body unconsumed, excess_RPC.
        var args = XDR()
        args.words(100_000, 2)
        args.opaque(Array("udp".utf8))
        args.opaque(Array("127.0.0.1.0.111".utf8))
        args.opaque(Array("superuser".utf8))
        args.words(1, 2, 3, 4)
        let call = XDR.call(xid: 0x40, procedure: 11, arguments: []) + args.bytes
        var reply = XDR([0x40, 1, 0, 0, 0, 0])
        reply.opaque(Array("some rpcbind v4 answer for proc eleven".utf8))
        reply.words(7, 7, 7)
        var h = TCPHarness()
        h.send(XDR.record(call), at: t0)
        h.send(XDR.record(reply.bytes), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=bad_RPC",
            "conn_weird name=partial_RPC",
            "conn_weird name=successful_RPC_reply_to_invalid_request",
            "rpc_call prog=100000 ver=2 proc=11 status=0 start_time=1795407885.703689 call_len=\(call.count - 8) reply_len=\(reply.bytes.count - 24)",
            "conn_weird name=excess_RPC",
        ])
    }

    func testBadRPCProgramIsStillDecodedAsPortmap() {
        // Golden synth-nasty: bad_RPC_program, then pm_request_null and rpc_call prog=100003.
        var h = TCPHarness()
        h.send(XDR.record(XDR.call(xid: 5, program: 100_003, version: 3, procedure: 0)), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 5)), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=bad_RPC_program",
            "pm_request_null",
            "rpc_call prog=100003 ver=3 proc=0 status=0 start_time=1795407885.703689 call_len=32 reply_len=0",
        ])
    }

    func testBadMessageTypeAndReplyStatAndRejectStat() {
        // Derived: msg_type 2 → bad_RPC (record otherwise fine, so no partial_RPC).
        var h = TCPHarness()
        h.send(XDR.record(nullCall), at: t0)
        h.send(XDR.record(XDR([0x77, 2, 0, 0]).bytes), at: t0)
        XCTAssertEqual(h.weirdNames, ["bad_RPC"])
        // reply_stat 2 → bad_RPC, status 9 (RPC_UNKNOWN_ERROR), body left over is excess.
        h.send(XDR.record(XDR([0x10, 1, 2, 5]).bytes), orig: false, at: t1)
        XCTAssertEqual(Array(h.shortLines.suffix(4)), [
            "conn_weird name=bad_RPC",
            "pm_attempt_null status=RPC_UNKNOWN_ERROR",
            "rpc_call prog=100000 ver=2 proc=0 status=9 start_time=1795407885.703689 call_len=32 reply_len=4",
            "conn_weird name=excess_RPC",
        ])
        // reject_stat 5 → bad_RPC, status 9.
        h.send(XDR.record(XDR.call(xid: 0x12, procedure: 0)), at: t0)
        h.send(XDR.record(XDR.denied(xid: 0x12, rejectStat: 5, words: [])), orig: false, at: t1)
        XCTAssertEqual(Array(h.shortLines.suffix(3)), [
            "conn_weird name=bad_RPC",
            "pm_attempt_null status=RPC_UNKNOWN_ERROR",
            "rpc_call prog=100000 ver=2 proc=0 status=9 start_time=1795407885.703689 call_len=32 reply_len=0",
        ])
    }

    func testMissingReplyWordsFailTheRecordAndKeepTheCall() {
        var h = TCPHarness()
        h.send(XDR.record(nullCall), at: t0)
        h.send(XDR.record(XDR([0x10, 1, 0, 0, 0]).bytes), orig: false, at: t1)       // no accept_stat
        h.send(XDR.record(XDR([0x10, 1, 0, 0, 0, 2, 0]).bytes), orig: false, at: t1) // mismatch info short
        h.send(XDR.record(XDR([0x10, 1, 1, 0, 2]).bytes), orig: false, at: t1)       // RPC_MISMATCH short
        h.send(XDR.record(XDR([0x10, 1, 1, 1]).bytes), orig: false, at: t1)          // AUTH_ERROR short
        h.send(XDR.record(XDR([0x10, 1]).bytes), orig: false, at: t1)                // no reply_stat
        XCTAssertEqual(h.weirdNames, Array(repeating: "partial_RPC", count: 5))
        XCTAssertEqual(h.analyzer.pendingCalls.count, 1)
    }

    func testReplyDecodeFailureStillRaisesRpcCall() {
        // GETPORT success without the port word: bad_RPC, no portmap event, rpc_call.
        var h = TCPHarness()
        h.send(XDR.record(getportCall), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 0x11, trailing: [0, 0])), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=bad_RPC",
            "rpc_call prog=100000 ver=2 proc=3 status=0 start_time=1795407885.703689 call_len=48 reply_len=2",
        ])
    }

    // MARK: Status mapping (§1.4, TCP column) and order (§2.3)

    func testStatusMapping() {
        let cases: [([UInt8], UInt32, String)] = [
            (XDR.accepted(xid: 0x10, acceptStat: 1), 1, "RPC_PROG_UNAVAIL"),
            (XDR.accepted(xid: 0x10, acceptStat: 2, results: [2, 4]), 2, "RPC_PROG_MISMATCH"),
            (XDR.accepted(xid: 0x10, acceptStat: 3), 3, "RPC_PROC_UNAVAIL"),
            (XDR.accepted(xid: 0x10, acceptStat: 4), 4, "RPC_GARBAGE_ARGS"),
            (XDR.accepted(xid: 0x10, acceptStat: 5), 5, "RPC_SYSTEM_ERR"),
            (XDR.accepted(xid: 0x10, acceptStat: 6), 9, "RPC_UNKNOWN_ERROR"),
            (XDR.accepted(xid: 0x10, acceptStat: 77), 9, "RPC_UNKNOWN_ERROR"),
            (XDR.denied(xid: 0x10, rejectStat: 0, words: [2, 2]), 7, "RPC_VERS_MISMATCH"),
            (XDR.denied(xid: 0x10, rejectStat: 1, words: [1]), 8, "RPC_AUTH_ERROR"),
        ]
        for (reply, status, name) in cases {
            var h = TCPHarness()
            h.send(XDR.record(nullCall), at: t0)
            h.send(XDR.record(reply), orig: false, at: t1)
            // Golden rpcbind-v34-rpcbind: pm_attempt_null precedes rpc_call on TCP.
            XCTAssertEqual(h.shortLines, [
                "pm_attempt_null status=\(name)",
                "rpc_call prog=100000 ver=2 proc=0 status=\(status) start_time=1795407885.703689 call_len=32 reply_len=0",
            ])
        }
    }

    func testFailureEventsCarryTheCallValue() {
        var h = TCPHarness()
        h.send(XDR.record(XDR.call(xid: 1, procedure: 2, arguments: [100_017, 1, 17, 4464])), at: t0)
        h.send(XDR.record(XDR.denied(xid: 1, rejectStat: 1, words: [5])), orig: false, at: t1)
        h.send(XDR.record(XDR.call(xid: 2, procedure: 5, arguments: [100_001, 1, 2, 3, 0xabcd_ef00])), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 2, acceptStat: 5)), orig: false, at: t1)
        h.send(XDR.record(XDR.call(xid: 3, procedure: 4)), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 3, acceptStat: 1)), orig: false, at: t1)
        XCTAssertEqual(h.shortLines.filter { $0.hasPrefix("pm_") }, [
            "pm_attempt_unset status=RPC_AUTH_ERROR m=[program=100017, version=1, p=4464/udp]",
            "pm_attempt_callit status=RPC_SYSTEM_ERR call=[program=100001, version=1, proc=2, arg_size=3]",
            "pm_attempt_dump status=RPC_PROG_UNAVAIL",
        ])
    }

    // MARK: End of connection, cap, reference defect

    func testPartialRPCRequestConditions() {
        let half = Array(XDR.record(getportCall)[0..<20])
        for (closed, sentData, expected) in [(true, true, true), (false, true, false), (true, false, false)] {
            var h = TCPHarness()
            h.send(half, at: t0)
            h.finish(closed: closed, sentData: sentData, at: tEnd)
            XCTAssertEqual(h.weirdNames, expected ? ["partial_RPC_request"] : [], "closed \(closed) data \(sentData)")
        }
        // Nothing sent at all: the reassembler never left RECORD_MARKER, but no data → nothing.
        var quiet = TCPHarness()
        quiet.finish(closed: true, sentData: false, at: tEnd)
        XCTAssertEqual(quiet.buffer.count, 0)
    }

    func testCallsNeverTimeOut() {
        // Golden zeek-portmapper-many-unanswered-calls: events.txt empty.
        var h = TCPHarness()
        var stream: [UInt8] = []
        for xid in 0..<50 as Range<UInt32> { stream += XDR.record(XDR.call(xid: xid, procedure: 0)) }
        h.send(stream, at: t0)
        h.finish(at: tEnd + 100)
        XCTAssertEqual(h.buffer.count, 0)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 50)
    }

    func testCallTableFull() {
        var h = TCPHarness(configuration: RPCConfiguration(maximumPendingCalls: 1))
        h.send(XDR.record(nullCall) + XDR.record(getportCall), at: t0)
        h.send(XDR.record(getportReply), orig: false, at: t1)
        XCTAssertEqual(h.weirdNames, ["RPC_call_table_full", "unpaired_RPC_response"])
        XCTAssertEqual(h.analyzer.statistics.callsDroppedTableFull, 1)
    }

    func testPaddingOverrunAtRecordEndIsAcceptedNotFatal() {
        // Reference defect (§1.3.2 item 6): the CALLIT argument opaque fits
        // (5 bytes) but its padding runs past the record; the reference aborts.
        // We accept it, count it, and go on.
        let call = XDR.call(xid: 9, procedure: 5, arguments: [100_001, 1, 2, 5]) + [1, 2, 3, 4, 5]
        var h = TCPHarness()
        h.send(XDR.record(call), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 9, results: [32770, 1]) + [7]), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "pm_request_callit call=[program=100001, version=1, proc=2, arg_size=5] p=32770/udp",
            "rpc_call prog=100000 ver=2 proc=5 status=0 start_time=1795407885.703689 call_len=\(call.count - 8) reply_len=0",
        ])
        XCTAssertEqual(h.analyzer.statistics.paddingOverruns, 2)
        // An auth body whose padding overruns fails the record like the reference would
        // (the next word is missing either way).
        var h2 = TCPHarness()
        h2.send(XDR.record(XDR([9, 0, 2, 100_000, 2, 0, 1, 3]).bytes + [1, 2, 3]), at: t0)
        XCTAssertEqual(h2.weirdNames, ["partial_RPC"])
    }
}
