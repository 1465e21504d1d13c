import PacketDecoding
import XCTest
@testable import Policy

/// SEMANTICS-RPC §7 quirks not already pinned by a rule test.
final class QuirkTests: XCTestCase {
    /// Quirk 27: the tag counter is global, so one missing notice (a call dropped for a
    /// bad checksum in default mode) shifts every later tag.
    func testOneMissingNoticeShiftsLaterTags() {
        func tag(withEarlierNotice: Bool) -> String {
            let engine = PolicyEngine()
            if withEarlierNotice {
                engine.feed(at: 1, Fixture.udp(1), .requestSet(Fixture.mapping(100017, 0), success: true))
            }
            let later = Fixture.tcp(62477)
            engine.feed(at: 2, later, .requestDump([]))
            return engine.addl(later)
        }
        XCTAssertEqual(tag(withEarlierNotice: true), "(nil) @2 <>")
        XCTAssertEqual(tag(withEarlierNotice: false), "(nil) @1 <>")
    }

    /// Quirk 1: CALLIT replies never pair, so the call times out: only `(timeout)` is added
    /// (once, however many calls time out) and the service is still pm_callit.
    func testCallitTimeoutsAddOneTimeoutAnnotation() {
        let engine = PolicyEngine()
        let c = Fixture.udp()
        let call = CallitRequest(program: 100008, version: 1, procedure: 2, argSize: 9)
        engine.feed(at: 1, c, .requestSet(Fixture.mapping(100008, 40800), success: true))
        engine.feed(at: 25, [(c, .attemptCallit(.timeout, call)), (c, .attemptCallit(.timeout, call))])
        let line = engine.remove(at: 25, c)
        XCTAssertEqual(line.addl, "walld 40800 (ok) @1 (timeout)")
        XCTAssertEqual(line.service, "pm_callit")
    }

    /// Compressor pending entries hand each event a fresh `cc=1` record: annotations made on
    /// it are lost, but the conn_id's tag is remembered.
    func testCompressorPendingRecordsAreNotKept() {
        let engine = PolicyEngine()
        var pending = Fixture.tcp()
        pending.isCompressorPending = true
        pending.originatorState = TCPEndpointState.synSent
        pending.responderState = TCPEndpointState.inactive
        XCTAssertEqual(engine.weird(at: 1, "made_up", .connection(pending)).tags, ["1"])
        XCTAssertNil(engine.connections[pending.id])
        let line = engine.remove(at: 2, pending)
        XCTAssertEqual(line.addl, "cc=1")
        XCTAssertEqual(line.service, "portmap")
    }

    /// SEMANTICS-CONN §4.4 rule 3: no service, no map entry, originator inactive, responder
    /// port unnamed, originator port named → the originator's port name.
    func testServiceFallsBackToTheOriginatorsPortName() {
        let engine = PolicyEngine()
        var flow = Fixture.udp(53, serverPort: 40000)
        flow.originatorState = 0
        XCTAssertEqual(engine.remove(at: 1, flow).service, "dns")
        flow.originatorState = 1
        XCTAssertEqual(engine.remove(at: 2, flow).service, "other")
    }
}
