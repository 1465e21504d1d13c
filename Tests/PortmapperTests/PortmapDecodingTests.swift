import Portmapper
import SunRPC
import XCTest

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

func warnings(_ buffer: PortmapEventBuffer) -> [UInt32] {
    buffer.events.compactMap { event -> UInt32? in
        if case .program(.badPortNumberWarning(let port)) = event.kind { return port }
        return nil
    }
}

/// Portmapper procedures, DUMP lists, ports, rpcbind v3/v4 (SEMANTICS-RPC §2).
final class PortmapDecodingTests: XCTestCase {
    let t0 = 1795407887.622736
    let t1 = 1795407887.622912

    // MARK: DUMP (§2.5)

    func testUDPDumpListRules() {
        func dump(_ results: [UInt32], trailing: [UInt8] = []) -> [String] {
            var h = UDPHarness()
            h.send(XDR.call(xid: 4, procedure: 4), at: t0)
            h.send(XDR.accepted(xid: 4, results: results, trailing: trailing), orig: false, at: t1)
            return h.shortLines
        }
        // Terminated list: entries with cont = 1, by position.
        XCTAssertEqual(dump([1, 100_000, 2, 6, 111, 1, 100_017, 1, 17, 4464, 0]).first,
                       "pm_request_dump m={2 entries: [1=[program=100000, version=2, p=111/tcp], 2=[program=100017, version=1, p=4464/udp]]}")
        // End of data without terminator: no error.
        XCTAssertEqual(dump([1, 100_000, 2, 6, 111]).first,
                       "pm_request_dump m={1 entries: [1=[program=100000, version=2, p=111/tcp]]}")
        // Empty results: empty table (golden synth-mix-small `m={0 entries: []}`).
        XCTAssertEqual(dump([]).first, "pm_request_dump m={0 entries: []}")
        XCTAssertEqual(dump([0]).first, "pm_request_dump m={0 entries: []}")
        // First cont ≠ 1 ends the list; its mapping is parsed but not listed.
        XCTAssertEqual(dump([1, 100_000, 2, 6, 111, 2, 100_005, 1, 17, 20048, 1, 9, 9, 9, 9]).first,
                       "pm_request_dump m={1 entries: [1=[program=100000, version=2, p=111/tcp]]}")
        // ... and it must be complete.
        XCTAssertEqual(dump([1, 100_000, 2, 6, 111, 2, 100_005, 1]).first,
                       "conn_weird name=bad_RPC: binpac exception: out_of_bound: PortmapMapping: 16 > 8")
    }

    func testTCPDumpListRules() {
        func dump(_ results: [UInt32]) -> [String] {
            var h = TCPHarness()
            h.send(XDR.record(XDR.call(xid: 4, procedure: 4)), at: t0)
            h.send(XDR.record(XDR.accepted(xid: 4, results: results)), orig: false, at: t1)
            return h.shortLines
        }
        XCTAssertEqual(dump([1, 100_000, 2, 6, 111, 1, 100_017, 1, 17, 4464, 0]), [
            "pm_request_dump m={2 entries: [1=[program=100000, version=2, p=111/tcp], 2=[program=100017, version=1, p=4464/udp]]}",
            "rpc_call prog=100000 ver=2 proc=4 status=0 start_time=1795407887.622736 call_len=32 reply_len=0",
        ])
        // Any non-zero cont continues the list.
        XCTAssertEqual(dump([1, 100_000, 2, 6, 111, 7, 100_005, 1, 17, 20048, 0]).first,
                       "pm_request_dump m={2 entries: [1=[program=100000, version=2, p=111/tcp], 2=[program=100005, version=1, p=20048/udp]]}")
        XCTAssertEqual(dump([0]).first, "pm_request_dump m={0 entries: []}")
        // A missing terminator fails the whole reply; rpc_call is still raised.
        XCTAssertEqual(dump([1, 100_000, 2, 6, 111]), [
            "conn_weird name=bad_RPC",
            "rpc_call prog=100000 ver=2 proc=4 status=0 start_time=1795407887.622736 call_len=32 reply_len=0",
        ])
        XCTAssertEqual(dump([1, 100_000, 2]), [
            "conn_weird name=bad_RPC",
            "rpc_call prog=100000 ver=2 proc=4 status=0 start_time=1795407887.622736 call_len=32 reply_len=0",
        ])
    }

    func testGoldenSevenEntryDumpLine() {
        // Golden rpcbind-bad-ports/nochecksum/events.txt, byte for byte.
        let entries: [(UInt32, UInt32, UInt32, UInt32)] = [
            (100_000, 4, 6, 111), (100_000, 3, 6, 111), (100_000, 2, 6, 111), (100_000, 4, 17, 111),
            (100_000, 3, 17, 111), (100_000, 2, 17, 111), (100_017, 1, 17, 4464),
        ]
        var results: [UInt32] = []
        for e in entries { results += [1, e.0, e.1, e.2, e.3] }
        results.append(0)
        var h = UDPHarness()
        h.send(XDR.call(xid: 4, procedure: 4), at: 1795407887.623162)
        h.send(XDR.accepted(xid: 4, results: results), orig: false, at: 1795407887.623195)
        XCTAssertEqual(h.lines, [
            "1795407887.623195 pm_request_dump 127.0.0.1:45746/udp > 127.0.0.1:111/udp m={7 entries: [1=[program=100000, version=4, p=111/tcp], 2=[program=100000, version=3, p=111/tcp], 3=[program=100000, version=2, p=111/tcp], 4=[program=100000, version=4, p=111/udp], 5=[program=100000, version=3, p=111/udp], 6=[program=100000, version=2, p=111/udp], 7=[program=100017, version=1, p=4464/udp]]}",
            "1795407887.623195 rpc_call 127.0.0.1:45746/udp > 127.0.0.1:111/udp prog=100000 ver=2 proc=4 status=0 start_time=1795407887.623162 call_len=40 reply_len=168",
        ])
    }

    // MARK: Ports (§2.4)

    func testUDPBadPortBecomesZeroWithWarningOnly() {
        // Golden rpcbind-bad-ports: SET of wire port 70000 → p=0/udp, stderr warning
        // stamped with the call's time, no pm_bad_port.
        var h = UDPHarness()
        h.send(XDR.call(xid: 1, procedure: 1, arguments: [100_017, 1, 17, 70000], trailing: [UInt8](repeating: 0, count: 36)), at: t0)
        h.send(XDR.accepted(xid: 1, results: [1]), orig: false, at: t1)
        XCTAssertEqual(h.lines, [
            "1795407887.622912 pm_request_set 127.0.0.1:45746/udp > 127.0.0.1:111/udp m=[program=100017, version=1, p=0/udp] success=T",
            "1795407887.622912 rpc_call 127.0.0.1:45746/udp > 127.0.0.1:111/udp prog=100000 ver=2 proc=1 status=0 start_time=1795407887.622736 call_len=92 reply_len=28",
        ])
        XCTAssertEqual(h.buffer.events.compactMap(PortmapEventText.stderrLine(for:)),
                       ["1795407887.622736 <no location> (70000): internal warning: bad port number"])
    }

    func testUDPBadPortsInRepliesAndDumpEntries() {
        var h = UDPHarness()
        h.send(XDR.call(xid: 1, procedure: 3, arguments: [100_017, 1, 6, 0]), at: t0)
        h.send(XDR.accepted(xid: 1, results: [65536]), orig: false, at: t1)
        h.send(XDR.call(xid: 2, procedure: 4), at: t0)
        h.send(XDR.accepted(xid: 2, results: [1, 100_000, 2, 6, 99999, 1, 100_000, 2, 17, 111, 0]), orig: false, at: t1)
        h.send(XDR.call(xid: 3, procedure: 5, arguments: [100_001, 1, 2, 0]), at: t0)
        h.send(XDR.accepted(xid: 3, results: [74565, 0]), orig: false, at: t1)
        XCTAssertEqual(h.shortLines.filter { $0.hasPrefix("pm_") }, [
            "pm_request_getport pr=[program=100017, version=1, is_tcp=T] p=0/tcp",
            "pm_request_dump m={2 entries: [1=[program=100000, version=2, p=0/tcp], 2=[program=100000, version=2, p=111/udp]]}",
            "pm_request_callit call=[program=100001, version=1, proc=2, arg_size=0] p=0/udp",
        ])
        XCTAssertEqual(warnings(h.buffer),
                       [65536, 99999, 74565])
    }

    func testTCPBadPortEventsAndScriptWeirdsComeLast() {
        var h = TCPHarness()
        h.send(XDR.record(XDR.call(xid: 1, procedure: 1, arguments: [100_017, 1, 6, 70000])), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 1, results: [1])), orig: false, at: t1)
        let callEvents = 1
        XCTAssertEqual(h.buffer.events[0].kind, .program(.badPort(70000)))
        PortmapScriptEffects.appendBadPortWeirds(to: &h.buffer, fromEventIndex: 0)
        XCTAssertEqual(h.buffer.count, callEvents + 2 + 1)
        XCTAssertEqual(h.shortLines, [
            "pm_bad_port bad_p=70000",
            "pm_request_set m=[program=100017, version=1, p=0/tcp] success=T",
            "rpc_call prog=100000 ver=2 proc=1 status=0 start_time=1795407887.622736 call_len=48 reply_len=0",
            "conn_weird_addl name=bad_pm_port addl=port 70000",
        ])
    }

    func testGetportReplyUsesTheRequestProtocol() {
        for (prot, expected) in [(6 as UInt32, "is_tcp=T] p=2049/tcp"), (17, "is_tcp=F] p=2049/udp"), (7, "is_tcp=F] p=2049/udp")] {
            var h = UDPHarness()
            h.send(XDR.call(xid: 1, procedure: 3, arguments: [100_003, 3, prot, 0]), at: t0)
            h.send(XDR.accepted(xid: 1, results: [2049]), orig: false, at: t1)
            XCTAssertEqual(h.shortLines.first, "pm_request_getport pr=[program=100003, version=3, " + expected)
            var t = TCPHarness()
            t.send(XDR.record(XDR.call(xid: 1, procedure: 3, arguments: [100_003, 3, prot, 0])), at: t0)
            t.send(XDR.record(XDR.accepted(xid: 1, results: [2049])), orig: false, at: t1)
            XCTAssertEqual(t.shortLines.first, "pm_request_getport pr=[program=100003, version=3, " + expected)
        }
    }

    func testSetUnsetSuccessFlag() {
        var h = UDPHarness()
        h.send(XDR.call(xid: 1, procedure: 1, arguments: [100_099, 1, 6, 7777]), at: t0)
        h.send(XDR.accepted(xid: 1, results: [0]), orig: false, at: t1)
        h.send(XDR.call(xid: 2, procedure: 2, arguments: [100_099, 1, 6, 7777]), at: t0)
        h.send(XDR.accepted(xid: 2, results: [0x100]), orig: false, at: t1)
        XCTAssertEqual(h.shortLines.filter { $0.hasPrefix("pm_") }, [
            "pm_request_set m=[program=100099, version=1, p=7777/tcp] success=F",
            "pm_request_unset m=[program=100099, version=1, p=7777/tcp] success=T",
        ])
    }

    // MARK: CALLIT (§2.6)

    func testCallitRequestAndReply() {
        var h = UDPHarness()
        var args = XDR()
        args.words(100_001, 1, 2)
        args.opaque([UInt8](repeating: 0xab, count: 30))
        h.send(XDR.call(xid: 1, procedure: 5, arguments: []) + args.bytes, at: t0)
        var results = XDR()
        results.word(32770)
        results.opaque([1, 2, 3, 4, 5, 6, 7, 8])
        h.send(XDR.accepted(xid: 1) + results.bytes, orig: false, at: t1)
        XCTAssertEqual(h.shortLines.first,
                       "pm_request_callit call=[program=100001, version=1, proc=2, arg_size=30] p=32770/udp")
    }

    func testUDPCallitArgumentSizeIsTheDeclaredLength() {
        // Derived: declared 100, datagram ends after 8 (4-aligned) → silently truncated.
        var h = UDPHarness()
        h.send(XDR.call(xid: 1, procedure: 5, arguments: [100_001, 1, 2, 100, 0xdead_beef, 0xfeed_face]), at: t0)
        h.remove(at: t1)
        XCTAssertEqual(h.shortLines, ["pm_attempt_callit status=RPC_TIMEOUT call=[program=100001, version=1, proc=2, arg_size=100]"])
    }

    func testTCPCallitOpaqueLimits() {
        var h = TCPHarness()
        var big = XDR()
        big.words(100_001, 1, 2)
        big.opaque([UInt8](repeating: 1, count: 8193))
        h.send(XDR.record(XDR.call(xid: 1, procedure: 5) + big.bytes), at: t0)
        XCTAssertEqual(h.weirdNames, ["bad_RPC", "partial_RPC"], "opaque > 8192")
        h.send(XDR.record(XDR.call(xid: 2, procedure: 5, arguments: [100_001, 1, 2, 9, 0])), at: t0)
        XCTAssertEqual(Array(h.weirdNames.suffix(2)), ["bad_RPC", "partial_RPC"], "opaque does not fit")
    }

    // MARK: rpcbind v3/v4 read with the v2 layout (§2.7), real payloads from rpcbind-v34-rpcbind

    func testUDPGetaddrV4IsAGetportWithTheAddressLengthAsPort() {
        var h = UDPHarness()
        h.send(hex("6b03524e0000000000000002000186a0000000040000000300000000000000000000000000000000000186a00000000400000003756470000000000f3132372e302e302e312e302e31313100000000086c69627469727063"),
               at: 1795407889.054106)
        h.send(hex("6b03524e00000001000000000000000000000000000000000000000f3132372e302e302e312e302e31313100"),
               orig: false, at: 1795407889.054351)
        XCTAssertEqual(h.shortLines, [
            "pm_request_getport pr=[program=100000, version=4, is_tcp=F] p=15/udp",
            "rpc_call prog=100000 ver=4 proc=3 status=0 start_time=1795407889.054106 call_len=88 reply_len=44",
        ])
    }

    func testTCPGetaddrV4LeavesExcessOnBothSides() {
        var h = TCPHarness()
        h.send(hex("80000058ee394b150000000000000002000186a0000000040000000300000000000000000000000000000000000186a00000000000000003746370000000000f3132372e302e302e312e302e31313100000000086c69627469727063"),
               at: 1795407889.063059)
        h.send(hex("8000002cee394b1500000001000000000000000000000000000000000000000f3132372e302e302e312e302e31313100"),
               orig: false, at: 1795407889.063245)
        XCTAssertEqual(h.lines, [
            "1795407889.063059 conn_weird 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp name=excess_RPC",
            "1795407889.063245 pm_request_getport 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp pr=[program=100000, version=0, is_tcp=F] p=15/udp",
            "1795407889.063245 rpc_call 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp prog=100000 ver=4 proc=3 status=0 start_time=1795407889.063059 call_len=80 reply_len=16",
            "1795407889.063245 conn_weird 127.0.0.1:48162/tcp > 127.0.0.1:111/tcp name=excess_RPC",
        ])
    }

    static let v3DumpReply = "800002ac3dc0d688000000010000000000000000000000000000000000000001000186a0000000040000000474637036000000083a3a2e302e3131310000000973757065727573657200000000000001000186a0000000030000000474637036000000083a3a2e302e3131310000000973757065727573657200000000000001000186a0000000040000000475647036000000083a3a2e302e3131310000000973757065727573657200000000000001000186a0000000030000000475647036000000083a3a2e302e3131310000000973757065727573657200000000000001000186a00000000400000003746370000000000d302e302e302e302e302e3131310000000000000973757065727573657200000000000001000186a00000000300000003746370000000000d302e302e302e302e302e3131310000000000000973757065727573657200000000000001000186a00000000200000003746370000000000d302e302e302e302e302e3131310000000000000973757065727573657200000000000001000186a00000000400000003756470000000000d302e302e302e302e302e3131310000000000000973757065727573657200000000000001000186a00000000300000003756470000000000d302e302e302e302e302e3131310000000000000973757065727573657200000000000001000186a00000000200000003756470000000000d302e302e302e302e302e3131310000000000000973757065727573657200000000000001000186a000000004000000056c6f63616c000000000000112f72756e2f72706362696e642e736f636b0000000000000973757065727573657200000000000001000186a000000003000000056c6f63616c000000000000112f72756e2f72706362696e642e736f636b0000000000000973757065727573657200000000000000"

    func testTCPDumpV3IsABadPortStormThenBadRPC() {
        // Golden rpcbind-v34-rpcbind conn 819, whole event sequence.
        var h = TCPHarness()
        h.send(hex("800000283dc0d6880000000000000002000186a0000000030000000400000000000000000000000000000000"),
               at: 1795407889.047577)
        let packetStart = h.buffer.count
        h.send(hex(Self.v3DumpReply), orig: false, at: 1795407889.047659)
        PortmapScriptEffects.appendBadPortWeirds(to: &h.buffer, fromEventIndex: packetStart)
        let ports: [UInt32] = [1952673846, 1937076325, 774975793, 1920299877, 100000, 808333358, 1937076325,
                               808333358, 1920299877, 808333617, 1912602624, 1969516544, 822083584, 100000,
                               808333358, 1937076325, 796030318, 100000, 1795162112]
        let expected = ports.map { "pm_bad_port bad_p=\($0)" }
            + ["conn_weird name=bad_RPC",
               "rpc_call prog=100000 ver=3 proc=4 status=0 start_time=1795407889.047577 call_len=32 reply_len=0"]
            + ports.map { "conn_weird_addl name=bad_pm_port addl=port \($0)" }
        XCTAssertEqual(h.shortLines, expected)
    }

    func testUDPDumpV3StopsAtTheFirstContinuationOtherThanOne() {
        // Derived: same rpcb list over UDP: entry 1 reads netid length 4 as prot
        // and "tcp6" as port (warning, 0); the next "cont" is the addr length 8,
        // which ends the list; that terminating entry is parsed but never built,
        // so its garbage port ("supe") prints no warning.
        let reply = Array(hex(Self.v3DumpReply).dropFirst(4))
        var h = UDPHarness()
        h.send(XDR.call(xid: 0x3dc0_d688, version: 3, procedure: 4), at: t0)
        h.send(reply, orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "pm_request_dump m={1 entries: [1=[program=100000, version=4, p=0/udp]]}",
            "rpc_call prog=100000 ver=3 proc=4 status=0 start_time=1795407887.622736 call_len=40 reply_len=684",
        ])
        XCTAssertEqual(warnings(h.buffer),
                       [1952673846])
    }

    func testNullV4AndV0() {
        var h = TCPHarness()
        h.send(XDR.record(XDR.call(xid: 1, version: 4, procedure: 0)), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 1)), orig: false, at: t1)
        h.send(XDR.record(XDR.call(xid: 2, version: 0, procedure: 0)), at: t0)
        h.send(XDR.record(XDR.accepted(xid: 2, acceptStat: 2, results: [2, 4])), orig: false, at: t1)
        XCTAssertEqual(h.shortLines, [
            "pm_request_null",
            "rpc_call prog=100000 ver=4 proc=0 status=0 start_time=1795407887.622736 call_len=32 reply_len=0",
            "pm_attempt_null status=RPC_PROG_MISMATCH",
            "rpc_call prog=100000 ver=0 proc=0 status=2 start_time=1795407887.622736 call_len=32 reply_len=0",
        ])
    }

    func testRpcbindProceduresAboveFive() {
        var u = UDPHarness()
        u.send(XDR.call(xid: 1, version: 4, procedure: 11, arguments: [1, 2, 3]), at: t0)
        XCTAssertEqual(u.shortLines, ["conn_weird name=bad_RPC: binpac exception: invalid index for case: PortmapParams: 11"])
    }
}
