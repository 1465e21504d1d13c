import PacketDecoding
import SunRPC
import XCTest

final class EventTextTests: XCTestCase {
    func testSecondsUsePrintfRounding() {
        XCTAssertEqual(EventText.seconds(1795407887.622736), "1795407887.622736")
        XCTAssertEqual(EventText.seconds(952441929.636992), "952441929.636992")
        XCTAssertEqual(EventText.seconds(1700000000.0), "1700000000.000000")
        XCTAssertEqual(EventText.seconds(0.0000005), "0.000000", "round-half-even on the binary value, as printf")
        // 1.0000015 is stored as 1.00000149999...: printf rounds the binary value down.
        XCTAssertEqual(EventText.seconds(1.0000015), "1.000001")
        XCTAssertEqual(EventText.seconds(1.0000025000001), "1.000003")
        XCTAssertEqual(EventText.seconds(-1.5), "-1.500000")
    }

    func testRpcCallAndWeirdLines() {
        let conn = ConnectionID(originator: IPv4Address(127, 0, 0, 1), originatorPort: 45746,
                                responder: IPv4Address(127, 0, 0, 1), responderPort: 111, proto: .udp)
        let call = RPCCallRecord(program: 100_000, version: 2, procedure: 1, status: .success,
                                 startTime: 1795407887.622736, callLength: 92, replyLength: 28)
        let event = RPCEvent<Never>(time: 1795407887.622912, connection: conn, kind: .rpcCall(call))
        XCTAssertEqual(EventText.line(for: event),
                       "1795407887.622912 rpc_call 127.0.0.1:45746/udp > 127.0.0.1:111/udp prog=100000 ver=2 proc=1 status=0 start_time=1795407887.622736 call_len=92 reply_len=28")
        let weird = RPCEvent<Never>(time: 1795407883.387747, connection: conn, kind: .weird(.unpairedResponse))
        XCTAssertEqual(EventText.line(for: weird),
                       "1795407883.387747 conn_weird 127.0.0.1:45746/udp > 127.0.0.1:111/udp name=unpaired_RPC_response")
        let addl = RPCEvent<Never>(time: 1795407889.047659, connection: conn, kind: .weird(.badPortmapPort(1952673846)))
        XCTAssertEqual(EventText.line(for: addl),
                       "1795407889.047659 conn_weird_addl 127.0.0.1:45746/udp > 127.0.0.1:111/udp name=bad_pm_port addl=port 1952673846")
    }

    func testWeirdNames() {
        let all: [(RPCWeird, String)] = [
            (.badRPC, "bad_RPC"), (.partialRPC, "partial_RPC"), (.excessRPC, "excess_RPC"),
            (.excessiveRPCLength, "excessive_RPC_len"), (.partialRPCRequest, "partial_RPC_request"),
            (.responderRPCCall, "responder_RPC_call"), (.originatorRPCReply, "originator_RPC_reply"),
            (.rexmitInconsistency, "RPC_rexmit_inconsistency"), (.underflow, "RPC_underflow"),
            (.unpairedResponse, "unpaired_RPC_response"),
            (.successfulReplyToInvalidRequest, "successful_RPC_reply_to_invalid_request"),
            (.badRPCProgram, "bad_RPC_program"), (.callTableFull, "RPC_call_table_full"),
            (.badPortmapPort(5), "bad_pm_port"),
        ]
        for (weird, name) in all {
            XCTAssertEqual(weird.name, name)
            XCTAssertEqual(weird.addl, name == "bad_pm_port" ? "port 5" : nil)
        }
    }

    func testStatusNames() {
        XCTAssertEqual(RPCStatus.timeout.enumName, "RPC_TIMEOUT")
        XCTAssertEqual(RPCStatus.versionMismatch.enumName, "RPC_VERS_MISMATCH")
        XCTAssertEqual(RPCStatus(rawValue: 10).enumName, "<undefined>")
    }

    func testFingerprint() {
        let a: [UInt8] = Array(0..<100)
        var b = a
        b[57] ^= 1
        let fa = a.withUnsafeBytes(RexmitFingerprint.init)
        XCTAssertEqual(fa, a.withUnsafeBytes(RexmitFingerprint.init))
        XCTAssertNotEqual(fa, b.withUnsafeBytes(RexmitFingerprint.init))
        XCTAssertNotEqual(fa, Array(a.dropLast()).withUnsafeBytes(RexmitFingerprint.init))
        // Trailing zero bytes change the length and so the fingerprint.
        XCTAssertNotEqual([UInt8]([1, 2, 3]).withUnsafeBytes(RexmitFingerprint.init),
                          [UInt8]([1, 2, 3, 0]).withUnsafeBytes(RexmitFingerprint.init))
    }
}
