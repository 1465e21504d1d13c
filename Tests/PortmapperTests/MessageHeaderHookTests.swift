import PacketDecoding
import Portmapper
import SunRPC
import XCTest

/// The analyzers' message-header observation hook (`RPCEventBuffer.messageHeaders`).
final class MessageHeaderHookTests: XCTestCase {
    typealias ID = RPCProcedureIdentity
    let getport = ID(program: 100_000, version: 2, procedure: 3)

    func header(_ xid: UInt32, _ type: UInt32, _ procedure: ID?, orig: Bool, at time: Double,
                on connection: ConnectionID) -> RPCMessageHeader {
        RPCMessageHeader(time: time, connection: connection, isOriginator: orig, xid: xid, messageType: type,
                         procedure: procedure)
    }

    func testOffByDefaultSoNothingIsRecorded() {
        var udp = UDPHarness()
        udp.send(XDR.call(xid: 1, procedure: 0), at: 1)
        udp.send(XDR.accepted(xid: 1), orig: false, at: 2)
        var tcp = TCPHarness()
        tcp.send(XDR.record(XDR.call(xid: 1, procedure: 0)), at: 1)
        tcp.send(XDR.record(XDR.accepted(xid: 1)), orig: false, at: 2)
        XCTAssertEqual(udp.buffer.count, 2)
        XCTAssertEqual(tcp.buffer.count, 2)
        XCTAssertTrue(udp.buffer.messageHeaders.isEmpty)
        XCTAssertTrue(tcp.buffer.messageHeaders.isEmpty)
    }

    func testUDPRecordsCallsAndRepliesWithTheirPairedCall() {
        var h = UDPHarness()
        h.buffer = PortmapEventBuffer(recordingMessageHeaders: true)
        h.send(XDR.call(xid: 7, program: 100_003, version: 3, procedure: 9), at: 1)  // not portmap: kept as is
        h.send(XDR.call(xid: 8, procedure: 3, arguments: [100_003, 3, 17, 0]), at: 2)
        h.send(XDR.accepted(xid: 8, results: [2049]), orig: false, at: 3)
        h.send(XDR.accepted(xid: 8, results: [2049]), orig: false, at: 4)  // the call is gone: unpaired
        XCTAssertEqual(h.buffer.messageHeaders, [
            header(7, 0, ID(program: 100_003, version: 3, procedure: 9), orig: true, at: 1, on: Conn.udp),
            header(8, 0, getport, orig: true, at: 2, on: Conn.udp),
            header(8, 1, getport, orig: false, at: 3, on: Conn.udp),
            header(8, 1, nil, orig: false, at: 4, on: Conn.udp),
        ])
    }

    func testUDPRecordsAHeaderEvenWhenTheRestOfTheMessageThrows() {
        var h = UDPHarness()
        h.buffer = PortmapEventBuffer(recordingMessageHeaders: true)
        // Complete header, then a credential flavor and 3 bytes: binpac throws at the opaque length.
        h.send(Array(XDR.call(xid: 9, procedure: 0).prefix(31)), at: 1)
        // Only five header words: not a parsed header.
        h.send(Array(XDR.call(xid: 10, procedure: 0).prefix(20)), at: 2)
        // msg_type 5: not an RPC message.
        h.send(XDR([11, 5, 0, 0]).bytes, at: 3)
        // A reply whose body throws still reports the call it looked up.
        h.send(XDR.call(xid: 12, procedure: 0), at: 4)
        h.send(XDR([12, 1]).bytes, orig: false, at: 5)
        XCTAssertEqual(h.weirdNames.count, 4, "four bad_RPC weirds")
        XCTAssertEqual(h.buffer.messageHeaders.map(\.xid), [9, 12, 12])
        XCTAssertEqual(h.buffer.messageHeaders.last?.procedure, ID(program: 100_000, version: 2, procedure: 0))
    }

    func testTCPRecordsARecordWhenItsLastByteArrives() {
        var h = TCPHarness()
        h.buffer = PortmapEventBuffer(recordingMessageHeaders: true)
        let call = XDR.record(XDR.call(xid: 0x21, procedure: 3, arguments: [100_003, 3, 6, 0]))
        h.send(call, segments: [20], at: 1)  // 20 + 36 bytes: completed by the second chunk
        XCTAssertEqual(h.buffer.messageHeaders.count, 1)
        h.send(XDR.record(XDR.accepted(xid: 0x21, results: [2049])) + XDR.record(XDR.accepted(xid: 0x22)),
               orig: false, at: 2)
        XCTAssertEqual(h.buffer.messageHeaders, [
            header(0x21, 0, getport, orig: true, at: 1, on: Conn.tcp),
            header(0x21, 1, getport, orig: false, at: 2, on: Conn.tcp),
            header(0x22, 1, nil, orig: false, at: 2, on: Conn.tcp),
        ])
        h.buffer.removeAll()
        XCTAssertTrue(h.buffer.messageHeaders.isEmpty)
        XCTAssertTrue(h.buffer.recordsMessageHeaders, "clearing keeps recording on")
    }

    func testTCPRetransmissionReportsItsOwnHeaderWords() {
        var h = TCPHarness()
        h.buffer = PortmapEventBuffer(recordingMessageHeaders: true)
        h.send(XDR.record(XDR.call(xid: 0x31, procedure: 0)), at: 1)
        // Same xid, different procedure: decoded with the stored call, reported as sent.
        h.send(XDR.record(XDR.call(xid: 0x31, procedure: 4)), at: 2)
        XCTAssertEqual(h.weirdNames, ["RPC_rexmit_inconsistency"])
        XCTAssertEqual(h.buffer.messageHeaders.map(\.procedure?.procedure), [0, 4])
    }
}
