import PacketDecoding
import Portmapper
import SunRPC
import XCTest
@testable import Policy

final class RPCAdapterTests: XCTestCase {
    /// RPC-stage events (including a DUMP list stored in the payload words) become policy
    /// inputs; `rpc_call` and the UDP stderr warning are dropped.
    func testPortmapEventsConvert() {
        let c = Fixture.udp()
        var buffer = PortmapEventBuffer()
        let stamp = RPCEventStamp(time: 5, connection: c.id)
        buffer.payloadWords = [100000, 2, 111, 1, 100017, 1, 4464, 0]
        buffer.append(.program(.requestDump(PortmapMappingList(firstWord: 0, count: 2))), at: stamp)
        buffer.append(.rpcCall(RPCCallRecord(program: 100000, version: 2, procedure: 4, status: .success,
                                             startTime: 4, callLength: 40, replyLength: 60)), at: stamp)
        buffer.append(.program(.badPortNumberWarning(70000)), at: stamp)
        buffer.append(.program(.attemptCallit(.timeout, PortmapCallitRequest(program: 100008, version: 1, procedure: 2, argumentSize: 9))), at: stamp)
        buffer.append(.weird(.unpairedResponse), at: stamp)
        let inputs = buffer.events.compactMap { PolicyInput.from($0, payload: buffer.payloadWords, connection: c) }
        XCTAssertEqual(inputs.count, 3)
        XCTAssertEqual(inputs[0], .portmapper(time: 5, connection: c, event: .requestDump([
            Fixture.mapping(100000, 111, .tcp, version: 2), Fixture.mapping(100017, 4464, .udp, version: 1),
        ])))
        let engine = PolicyEngine()
        engine.process(inputs)
        let out = engine.takeOutput()
        XCTAssertEqual(out.weirdLines, ["5.000000 10.0.0.1/1000 > 10.0.0.2/portmap: unpaired_RPC_response"])
        XCTAssertEqual(engine.addl(c), "(done) @1 <portmapper -> 111/tcp, rexd -> 4464/udp> (timeout)")
    }

    func testBadPortWeirdFromTheRPCStage() {
        let t = Fixture.tcp()
        let event = PortmapRPCEvent(time: 1, connection: t.id, kind: .weird(.badPortmapPort(70000)))
        XCTAssertEqual(PolicyInput.from(event, payload: [], connection: t),
                       .weird(time: 1, event: WeirdEvent(name: "bad_pm_port", addl: "port 70000", scope: .connection(t))))
    }
}
