import Portmapper
import SunRPC
import XCTest

/// The UDP (binpac) path, SEMANTICS-RPC §1.2, §1.4, §1.6, §2.3.
final class UDPPathTests: XCTestCase {
    let t0 = 1795407883.387627
    let t1 = 1795407883.387697

    // MARK: binpac exception texts

    /// Sends one datagram and returns the single weird line it raised.
    func binpacWeird(_ bytes: [UInt8], orig: Bool = true, setup: [[UInt8]] = [],
                     file: StaticString = #filePath, line: UInt = #line) -> String? {
        var h = UDPHarness()
        for s in setup { h.send(s, at: t0) }
        let before = h.buffer.count
        h.send(bytes, orig: orig, at: t1)
        let added = Array(h.shortLines.suffix(from: before))
        XCTAssertEqual(added.count, 1, "expected exactly one event, got \(added)", file: file, line: line)
        return added.first
    }

    func testMessageTooShortForMsgType() {
        // Golden rpcbind-v2-udp-errors: `out_of_bound: RPC_Message:msg_type: 8 > 4`.
        XCTAssertEqual(binpacWeird([0, 0, 0, 1]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Message:msg_type: 8 > 4")
        XCTAssertEqual(binpacWeird([]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Message:msg_type: 8 > 0")
    }

    func testInvalidMessageType() {
        // Golden: `invalid index for case: RPC_Message: 5`.
        XCTAssertEqual(binpacWeird(XDR([7, 5, 2, 100_000, 2, 0, 0, 0, 0, 0]).bytes),
                       "conn_weird name=bad_RPC: binpac exception: invalid index for case: RPC_Message: 5")
        // Derived: values ≥ 2^31 print negative (%d).
        XCTAssertEqual(binpacWeird(XDR([7, 0xffff_ffff]).bytes),
                       "conn_weird name=bad_RPC: binpac exception: invalid index for case: RPC_Message: -1")
    }

    func testCallHeaderTooShort() {
        // Derived: rpcvers..proc need 16 bytes after xid/msg_type.
        XCTAssertEqual(binpacWeird(XDR([7, 0, 2, 100_000, 2]).bytes),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Call:proc: 16 > 12")
    }

    func testCredentialFlavorMissing() {
        // Derived: three bytes where the credential flavor should be.
        XCTAssertEqual(binpacWeird(XDR([7, 0, 2, 100_000, 2, 0]).bytes + [1, 2, 3]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_OpaqueAuth:flavor: 4 > 3")
    }

    func testCredentialLengthMissing() {
        // Golden synth-mix-small: 31-byte calls → `RPC_Opaque:length: 4 > 3`.
        let bytes = XDR([7, 0, 2, 100_000, 2, 0, 1]).bytes + [0, 0, 0]
        XCTAssertEqual(bytes.count, 31)
        XCTAssertEqual(binpacWeird(bytes),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Opaque:length: 4 > 3")
    }

    func testOpaqueOverrunNotAligned() {
        // Derived: length 8, only 5 data bytes: S = 4 + 5 + 3 padding = 12 > N = 9.
        let bytes = XDR([7, 0, 2, 100_000, 2, 0, 1, 8]).bytes + [1, 2, 3, 4, 5]
        XCTAssertEqual(binpacWeird(bytes),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Opaque: 12 > 9")
    }

    func testOpaqueOverrunAlignedIsSilentAndErrorSurfacesLater() {
        // Derived: declared 100, 8 bytes left (a multiple of 4): truncated
        // silently; the verifier flavor is then missing.
        let bytes = XDR([7, 0, 2, 100_000, 2, 0, 1, 100, 0xaaaa_aaaa, 0xbbbb_bbbb]).bytes
        XCTAssertEqual(binpacWeird(bytes),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_OpaqueAuth:flavor: 4 > 0")
    }

    func testOpaqueLengthWithTopBitReadsAsZero() {
        // Derived: L ≥ 2^31 is treated as 0, so the call parses (NULL, pending).
        var h = UDPHarness()
        h.send(XDR([7, 0, 2, 100_000, 2, 0, 1, 0x8000_0000, 0, 0]).bytes, at: t0)
        XCTAssertEqual(h.buffer.count, 0)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 1)
    }

    func testPortmapProcedureOutOfRange() {
        // Golden: `invalid index for case: PortmapParams: 9`, then the reply is unpaired.
        var h = UDPHarness()
        h.send(XDR.call(xid: 9, procedure: 9), at: t0)
        h.send(XDR.accepted(xid: 9), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=bad_RPC: binpac exception: invalid index for case: PortmapParams: 9",
            "conn_weird name=unpaired_RPC_response",
        ])
        XCTAssertEqual(binpacWeird(XDR.call(xid: 9, procedure: 0xffff_fffe)),
                       "conn_weird name=bad_RPC: binpac exception: invalid index for case: PortmapParams: -2")
    }

    func testMappingTooShort() {
        // Golden: `out_of_bound: PortmapMapping: 16 > 8`.
        XCTAssertEqual(binpacWeird(XDR.call(xid: 9, procedure: 1, arguments: [100_017, 1])),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapMapping: 16 > 8")
    }

    func testCallitParamsTooShort() {
        // Derived.
        XCTAssertEqual(binpacWeird(XDR.call(xid: 9, procedure: 5, arguments: [100_001, 1])),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapCallItParams:proc: 12 > 8")
        XCTAssertEqual(binpacWeird(XDR.call(xid: 9, procedure: 5, arguments: [100_001, 1, 2])),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Opaque:length: 4 > 0")
    }

    func testNonPortmapArgumentsAreNotParsed() {
        // Derived: only program 100000 is decoded; proc 9 of NFS is fine.
        var h = UDPHarness()
        h.send(XDR.call(xid: 9, program: 100_003, version: 3, procedure: 9, arguments: [1]), at: t0)
        XCTAssertEqual(h.buffer.count, 0)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 1)
    }

    func testReplyStatMissing() {
        XCTAssertEqual(binpacWeird(XDR([7, 1]).bytes),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Reply:stat: 4 > 0")
    }

    func testInvalidReplyStat() {
        XCTAssertEqual(binpacWeird(XDR([7, 1, 2, 0, 0]).bytes),
                       "conn_weird name=bad_RPC: binpac exception: invalid index for case: RPC_Reply: 2")
    }

    func testAcceptedReplyVerifierAndStatMissing() {
        XCTAssertEqual(binpacWeird(XDR([7, 1, 0]).bytes + [0, 0]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_OpaqueAuth:flavor: 4 > 2")
        // X = verifier size (8) + 4 = 12 against the 8 bytes from the accepted part on.
        XCTAssertEqual(binpacWeird(XDR([7, 1, 0, 0, 0]).bytes),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_AcceptedReply:stat: 12 > 8")
        // With a 4-byte verifier body: X = 12 + 4 = 16 > 14.
        XCTAssertEqual(binpacWeird(XDR([7, 1, 0, 1, 4, 0xdead_beef]).bytes + [0, 0]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_AcceptedReply:stat: 16 > 14")
    }

    func testMismatchInfoMissing() {
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7, acceptStat: 2, results: [2])),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_MismatchInfo: 8 > 4")
        XCTAssertEqual(binpacWeird(XDR.denied(xid: 7, rejectStat: 0, words: [])),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_MismatchInfo: 8 > 0")
    }

    func testRejectedReplyFailures() {
        XCTAssertEqual(binpacWeird(XDR([7, 1, 1]).bytes),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_RejectedReply:stat: 4 > 0")
        // Golden synth-nasty: `invalid index for case: RPC_RejectedReply: 7`.
        XCTAssertEqual(binpacWeird(XDR.denied(xid: 7, rejectStat: 7, words: [0])),
                       "conn_weird name=bad_RPC: binpac exception: invalid index for case: RPC_RejectedReply: 7")
        XCTAssertEqual(binpacWeird(XDR.denied(xid: 7, rejectStat: 1, words: [])),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_RejectedReply:auth_stat: 8 > 4")
    }

    func testPortmapResultFailures() {
        // Results are parsed only for SUCCESS replies to pending portmap calls.
        let set = XDR.call(xid: 7, procedure: 1, arguments: [100_017, 1, 17, 4464])
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7), orig: false, setup: [set]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapResults:set: 4 > 0")
        let unset = XDR.call(xid: 7, procedure: 2, arguments: [100_017, 1, 17, 4464])
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7, trailing: [0, 0]), orig: false, setup: [unset]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapResults:unset: 4 > 2")
        let getport = XDR.call(xid: 7, procedure: 3, arguments: [100_017, 1, 17, 0])
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7), orig: false, setup: [getport]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapResults:getport: 4 > 0")
        let dump = XDR.call(xid: 7, procedure: 4)
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7, results: [1, 100_000, 2, 6]), orig: false, setup: [dump]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapMapping: 16 > 12")
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7, results: [1, 100_000, 2, 6, 111], trailing: [0, 0]),
                                   orig: false, setup: [dump]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapDumpEntry:cont: 4 > 2")
        let callit = XDR.call(xid: 7, procedure: 5, arguments: [100_001, 1, 2, 0])
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7), orig: false, setup: [callit]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapCallItResults:port: 4 > 0")
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7, results: [32770]), orig: false, setup: [callit]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Opaque:length: 4 > 0")
        XCTAssertEqual(binpacWeird(XDR.accepted(xid: 7, results: [32770, 6], trailing: [1, 2, 3, 4, 5]),
                                   orig: false, setup: [callit]),
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: RPC_Opaque: 12 > 9")
    }

    func testFailedReplyKeepsCallPendingUntilTimeout() {
        var h = UDPHarness()
        h.send(XDR.call(xid: 7, procedure: 3, arguments: [100_017, 1, 17, 0]), at: t0)
        h.send(XDR.accepted(xid: 7), orig: false, at: t1)
        h.remove(at: t1 + 30)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapResults:getport: 4 > 0",
            "pm_attempt_getport status=RPC_TIMEOUT pr=[program=100017, version=1, is_tcp=F]",
        ])
    }

    // MARK: Status mapping (§1.4, UDP column)

    func testAcceptStatusesPassThroughRaw() {
        let expected: [(UInt32, String)] = [
            (1, "RPC_PROG_UNAVAIL"), (2, "RPC_PROG_MISMATCH"), (3, "RPC_PROC_UNAVAIL"), (4, "RPC_GARBAGE_ARGS"),
            (5, "RPC_SYSTEM_ERR"), (6, "RPC_TIMEOUT"), (9, "RPC_UNKNOWN_ERROR"), (12, "<undefined>"),
        ]
        for (acceptStat, name) in expected {
            var h = UDPHarness()
            h.send(XDR.call(xid: 70, procedure: 0), at: t0)
            let results: [UInt32] = acceptStat == 2 ? [2, 2] : []
            h.send(XDR.accepted(xid: 70, acceptStat: acceptStat, results: results), orig: false, at: t1)
            XCTAssertEqual(h.shortLines, [
                "rpc_call prog=100000 ver=2 proc=0 status=\(acceptStat) start_time=1795407883.387627 call_len=40 reply_len=\(24 + results.count * 4)",
                "pm_attempt_null status=\(name)",
            ], "accept_stat \(acceptStat)")
        }
    }

    func testDeniedReplies() {
        var h = UDPHarness()
        h.send(XDR.call(xid: 1, procedure: 0, trailing: [0, 0, 0, 0]), at: t0)
        h.send(XDR.denied(xid: 1, rejectStat: 1, words: [2]), orig: false, at: t1)
        h.send(XDR.call(xid: 2, procedure: 0), at: t0)
        h.send(XDR.denied(xid: 2, rejectStat: 0, words: [2, 2]), orig: false, at: t1)
        // Golden rpcbind-v2-udp-errors: status=8 then RPC_AUTH_ERROR; call_len includes trailing junk.
        XCTAssertEqual(h.shortLines, [
            "rpc_call prog=100000 ver=2 proc=0 status=8 start_time=1795407883.387627 call_len=44 reply_len=20",
            "pm_attempt_null status=RPC_AUTH_ERROR",
            "rpc_call prog=100000 ver=2 proc=0 status=7 start_time=1795407883.387627 call_len=40 reply_len=24",
            "pm_attempt_null status=RPC_VERS_MISMATCH",
        ])
    }

    // MARK: Event order (§2.3) and lengths

    func testSuccessOrderAndWholeDatagramLengths() {
        // Golden rpcbind-bad-ports: pm_request_getport then rpc_call, call_len 56, reply_len 28.
        var h = UDPHarness()
        h.send(XDR.call(xid: 3, procedure: 3, arguments: [100_017, 1, 17, 0]), at: 1795407887.623077)
        h.send(XDR.accepted(xid: 3, results: [4464]), orig: false, at: 1795407887.623133)
        XCTAssertEqual(h.lines, [
            "1795407887.623133 pm_request_getport 127.0.0.1:45746/udp > 127.0.0.1:111/udp pr=[program=100017, version=1, is_tcp=F] p=4464/udp",
            "1795407887.623133 rpc_call 127.0.0.1:45746/udp > 127.0.0.1:111/udp prog=100000 ver=2 proc=3 status=0 start_time=1795407887.623077 call_len=56 reply_len=28",
        ])
    }

    func testFailureOrderRpcCallFirst() {
        // Golden rpcbind-v2-udp-errors: rpc_call status=2 precedes pm_attempt_getport.
        var h = UDPHarness()
        h.send(XDR.call(xid: 3, version: 7, procedure: 3, arguments: [100_003, 3, 17, 0]), at: t0)
        h.send(XDR.accepted(xid: 3, acceptStat: 2, results: [2, 4]), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "rpc_call prog=100000 ver=7 proc=3 status=2 start_time=1795407883.387627 call_len=56 reply_len=32",
            "pm_attempt_getport status=RPC_PROG_MISMATCH pr=[program=100003, version=3, is_tcp=F]",
        ])
    }

    func testTrailingBytesNeverRaiseExcess() {
        // Golden: NULL with 8 junk bytes → call_len=48, no weird.
        var h = UDPHarness()
        h.send(XDR.call(xid: 5, procedure: 0, trailing: [1, 2, 3, 4, 5, 6, 7, 8]), at: t0)
        h.send(XDR.accepted(xid: 5, trailing: [9, 9, 9]), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "pm_request_null",
            "rpc_call prog=100000 ver=2 proc=0 status=0 start_time=1795407883.387627 call_len=48 reply_len=27",
        ])
    }

    func testNonPortmapProgramYieldsOnlyRpcCall() {
        // Golden: `rpc_call ... prog=100003 ver=3 proc=0 status=1 ... call_len=40 reply_len=24`.
        var h = UDPHarness()
        h.send(XDR.call(xid: 5, program: 100_003, version: 3, procedure: 0), at: t0)
        h.send(XDR.accepted(xid: 5, acceptStat: 1), orig: false, at: t1)
        h.send(XDR.call(xid: 6, program: 100_003, version: 3, procedure: 0), at: t0)
        h.send(XDR.accepted(xid: 6), orig: false, at: t1)
        h.send(XDR.call(xid: 8, program: 100_003, version: 3, procedure: 0), at: t0)
        h.remove(at: t1 + 24)
        XCTAssertEqual(h.shortLines, [
            "rpc_call prog=100003 ver=3 proc=0 status=1 start_time=1795407883.387627 call_len=40 reply_len=24",
            "rpc_call prog=100003 ver=3 proc=0 status=0 start_time=1795407883.387627 call_len=40 reply_len=24",
        ])
    }

    func testRpcVersionIsNotChecked() {
        // Golden rpcbind-v2-udp-errors: an rpcvers=3 NULL stays pending and times out.
        var h = UDPHarness()
        h.send(XDR.call(xid: 5, procedure: 0, rpcVersion: 3), at: t0)
        h.remove(at: 1795407884.190524)
        XCTAssertEqual(h.lines, ["1795407884.190524 pm_attempt_null 127.0.0.1:45746/udp > 127.0.0.1:111/udp status=RPC_TIMEOUT"])
    }

    // MARK: Registration, retransmission, direction weirds

    func testIdenticalRetransmissionKeepsFirstCall() {
        var h = UDPHarness()
        let call = XDR.call(xid: 5, procedure: 0)
        h.send(call, at: t0)
        h.send(call, at: t0 + 1)
        h.send(XDR.accepted(xid: 5), orig: false, at: t1 + 1)
        XCTAssertEqual(h.shortLines, [
            "pm_request_null",
            "rpc_call prog=100000 ver=2 proc=0 status=0 start_time=1795407883.387627 call_len=40 reply_len=24",
        ])
    }

    func testInconsistentRetransmission() {
        // Derived (no UDP golden): different bytes → RPC_rexmit_inconsistency; the
        // first call (its start time, length and arguments) stays.
        var h = UDPHarness()
        h.send(XDR.call(xid: 5, procedure: 3, arguments: [100_017, 1, 17, 0]), at: t0)
        h.send(XDR.call(xid: 5, procedure: 3, arguments: [100_021, 4, 6, 0], trailing: [0, 0, 0, 0]), at: t0 + 1)
        h.send(XDR.accepted(xid: 5, results: [4464]), orig: false, at: t1 + 1)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=RPC_rexmit_inconsistency",
            "pm_request_getport pr=[program=100017, version=1, is_tcp=F] p=4464/udp",
            "rpc_call prog=100000 ver=2 proc=3 status=0 start_time=1795407883.387627 call_len=56 reply_len=28",
        ])
    }

    func testRetransmissionAfterReplyIsANewCall() {
        // Golden rpcbind-v2-udp-errors: same xid after the reply → a second pm_request_getport.
        var h = UDPHarness()
        for i in 0..<2 {
            h.send(XDR.call(xid: 0x71bf_6f70, procedure: 3, arguments: [100_021, 4, 17, 0]), at: t0 + Double(i))
            h.send(XDR.accepted(xid: 0x71bf_6f70, results: [0]), orig: false, at: t1 + Double(i))
        }
        XCTAssertEqual(h.weirdNames, [])
        XCTAssertEqual(h.shortLines.filter { $0.hasPrefix("pm_request_getport") }.count, 2)
    }

    func testResponderCall() {
        // Derived: a CALL from the responder raises responder_RPC_call after
        // registration; the call is still paired later.
        var h = UDPHarness()
        h.send(XDR.call(xid: 5, procedure: 0), orig: false, at: t0)
        h.send(XDR.accepted(xid: 5), orig: true, at: t1)
        XCTAssertEqual(h.shortLines, [
            "conn_weird name=responder_RPC_call",
            "pm_request_null",
            "conn_weird name=originator_RPC_reply",
            "rpc_call prog=100000 ver=2 proc=0 status=0 start_time=1795407883.387627 call_len=40 reply_len=24",
        ])
    }

    func testDuplicateCallStillBuildsValueWithWarning() {
        // Derived: the bad-port warning is printed for an unregistered duplicate too,
        // after the rexmit weird and before responder_RPC_call.
        var h = UDPHarness()
        h.send(XDR.call(xid: 5, procedure: 1, arguments: [100_017, 1, 17, 70000]), at: t0)
        h.send(XDR.call(xid: 5, procedure: 1, arguments: [100_017, 1, 17, 70001]), orig: false, at: t0 + 1)
        let kinds = h.buffer.events.map(\.kind)
        XCTAssertEqual(kinds, [
            .program(.badPortNumberWarning(70000)),
            .weird(.rexmitInconsistency),
            .program(.badPortNumberWarning(70001)),
            .weird(.responderRPCCall),
        ])
    }

    func testUnpairedReply() {
        // Golden: `conn_weird ... name=unpaired_RPC_response`.
        var h = UDPHarness()
        h.send(XDR.accepted(xid: 5), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, ["conn_weird name=unpaired_RPC_response"])
        // From the originator: originator weird first.
        h.send(XDR.accepted(xid: 6), orig: true, at: t1)
        XCTAssertEqual(Array(h.shortLines.suffix(2)), ["conn_weird name=originator_RPC_reply", "conn_weird name=unpaired_RPC_response"])
    }

    // MARK: Timeouts (§1.6)

    func testTimeoutsInAscendingUnsignedXidOrderWithoutRpcCall() {
        var h = UDPHarness()
        h.send(XDR.call(xid: 0xf000_0000, procedure: 5, arguments: [100_008, 1, 2, 9, 0, 0, 0]), at: t0)
        h.send(XDR.call(xid: 0x6b60_5fde, procedure: 3, arguments: [100_232, 10, 17, 0]), at: t0)
        h.send(XDR.call(xid: 0x2f6b_a442, procedure: 0), at: t0)
        h.send(XDR.call(xid: 0x66fc_2e75, program: 100_003, procedure: 0), at: t0)
        h.send(XDR.call(xid: 0x7fff_ffff, procedure: 4), at: t0)
        h.send(XDR.call(xid: 0x8000_0000, procedure: 1, arguments: [100_017, 1, 6, 4464]), at: t0)
        h.remove(at: 952441929.636992)
        XCTAssertEqual(h.lines, [
            "952441929.636992 pm_attempt_null 127.0.0.1:45746/udp > 127.0.0.1:111/udp status=RPC_TIMEOUT",
            "952441929.636992 pm_attempt_getport 127.0.0.1:45746/udp > 127.0.0.1:111/udp status=RPC_TIMEOUT pr=[program=100232, version=10, is_tcp=F]",
            "952441929.636992 pm_attempt_dump 127.0.0.1:45746/udp > 127.0.0.1:111/udp status=RPC_TIMEOUT",
            "952441929.636992 pm_attempt_set 127.0.0.1:45746/udp > 127.0.0.1:111/udp status=RPC_TIMEOUT m=[program=100017, version=1, p=4464/tcp]",
            "952441929.636992 pm_attempt_callit 127.0.0.1:45746/udp > 127.0.0.1:111/udp status=RPC_TIMEOUT call=[program=100008, version=1, proc=2, arg_size=9]",
        ])
        XCTAssertEqual(h.analyzer.pendingCalls.count, 0)
        XCTAssertEqual(h.analyzer.statistics.timedOutCalls, 6)
        // Removing again raises nothing.
        h.remove(at: 952441930)
        XCTAssertEqual(h.buffer.count, 5)
    }

    // MARK: Pending-call cap (ours)

    func testCallTableFull() {
        var h = UDPHarness(configuration: RPCConfiguration(maximumPendingCalls: 2))
        h.send(XDR.call(xid: 1, procedure: 0), at: t0)
        h.send(XDR.call(xid: 2, procedure: 0), at: t0)
        h.send(XDR.call(xid: 3, procedure: 0), at: t0)
        h.send(XDR.call(xid: 2, procedure: 0), at: t0)  // a retransmission is not a new entry
        h.send(XDR.accepted(xid: 3), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, ["conn_weird name=RPC_call_table_full", "conn_weird name=unpaired_RPC_response"])
        XCTAssertEqual(h.analyzer.statistics.callsDroppedTableFull, 1)
        XCTAssertEqual(h.analyzer.pendingCalls.count, 2)
    }
}
