import PacketDecoding
import XCTest
@testable import Policy

final class NoticeTests: XCTestCase {
    /// Tags: prefix + lowercase hex of a run-wide counter; connection-less notices draw one each.
    func testTagNumberingIsHexAndGlobal() {
        let engine = PolicyEngine()
        var tags: [String] = []
        for time in 1...18 { tags += engine.weird(at: Double(time), "made_up", .net).tags }
        XCTAssertEqual(tags, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f", "10", "11", "12"])
        var configuration = PolicyConfiguration()
        configuration.noticeTagPrefix = "run-"
        let prefixed = PolicyEngine(configuration: configuration)
        let out = prefixed.weird(at: 1, "made_up", .connection(Fixture.udp()))
        XCTAssertEqual(out.tags, ["run-1"])
        XCTAssertEqual(prefixed.addl(Fixture.udp()), "@run-1")
        XCTAssertTrue(ReferenceLogLines.notice(out.notices[0]).hasSuffix("::@run-1"))
    }

    /// One tag per conn_id, reused without appending; forgotten 1 s after removal.
    func testTagReuseAndForgetting() {
        let engine = PolicyEngine()
        let c = Fixture.udp()
        engine.feed(at: 1, c, .requestSet(Fixture.mapping(100017, 0), success: true))
        let second = engine.feed(at: 2, c, Fixture.getport(100017, 4464))
        XCTAssertEqual(second.tags, ["1"])
        XCTAssertEqual(second.noticeMessages, ["rpc: 10.0.0.1/1000 > 10.0.0.2/portmap pm_getport: rexd 0 (ok) @1, rexd -> 4464/udp"],
                       "the message carries the older tag, not its own new one")
        XCTAssertEqual(engine.addl(c), "rexd 0 (ok) @1, rexd -> 4464/udp")
        engine.remove(at: 10, c)
        // Same conn_id within 1 s: the old tag is reused and not appended.
        let early = engine.weird(at: 10.5, "made_up", .connection(c))
        XCTAssertEqual(early.tags, ["1"])
        XCTAssertEqual(engine.addl(c), "")
        engine.remove(at: 10.6, c)
        let late = engine.weird(at: 11.7, "made_up", .connection(c))
        XCTAssertEqual(late.tags, ["2"])
        XCTAssertEqual(engine.addl(c), "@2")
    }

    /// Quirk 16: a weird notice before any portmap text → `@3, portmapper -> 15/udp`.
    func testTagPositionFollowsAnnotationHistory() {
        let engine = PolicyEngine()
        for time in 1...2 { engine.weird(at: Double(time), "made_up", .net) }
        let t = Fixture.tcp()
        engine.weird(at: 3, "excess_RPC", .connection(t))
        engine.feed(at: 4, t, Fixture.getport(100000, 15))
        XCTAssertEqual(engine.addl(t), "@3, portmapper -> 15/udp")
    }

    func testNoticeAndAlarmLineFormats() {
        let record = NoticeRecord(
            time: 1795407887.622912, note: "SensitivePortmapperAccess", action: .alarmAlways,
            source: IPv4Address(127, 0, 0, 1), sourcePort: PortValue(45746, .udp),
            destination: IPv4Address(127, 0, 0, 1), destinationPort: PortValue(111, .udp), count: nil,
            message: "rpc: 127.0.0.1/45746 > 127.0.0.1/portmap pm_set: rexd 0 (ok) a\\b", sub: nil, tag: "1")
        let line = ReferenceLogLines.notice(record)
        XCTAssertEqual(line, "1795407887.622912:SensitivePortmapperAccess:NOTICE_ALARM_ALWAYS::127.0.0.1:45746/udp:127.0.0.1:111/udp::::::rpc\\: 127.0.0.1/45746 > 127.0.0.1/portmap pm_set\\: rexd 0 (ok) a\\\\b::@1")
        XCTAssertEqual(ReferenceLogLines.alarm(record),
                       "1795407887.622912 SensitivePortmapperAccess rpc: 127.0.0.1/45746 > 127.0.0.1/portmap pm_set: rexd 0 (ok) a\\b")
        var counted = record
        counted.count = 20
        counted.sourcePort = nil
        counted.destination = nil
        counted.destinationPort = nil
        counted.message = "m"
        XCTAssertEqual(ReferenceLogLines.notice(counted),
                       "1795407887.622912:SensitivePortmapperAccess:NOTICE_ALARM_ALWAYS::127.0.0.1::::::::20:m::@1")
        XCTAssertEqual(ReferenceLogLines.weird(WeirdRecord(time: 0.5, message: "x", name: "x", id: "", addl: "", unknownName: false)),
                       "0.500000 x")
    }

    func testConnectionLayerNotices() {
        let engine = PolicyEngine()
        let t = Fixture.tcp()
        engine.process([
            .connectionNotice(time: 1, connection: t, event: .contentGap(isOriginator: false, sequence: 16, length: 77)),
            .connectionNotice(time: 1, connection: t, event: .ackAboveHole),
            .connectionNotice(time: 2, connection: t, event: .rexmitInconsistency(old: [0x80, 0, 0x41], new: [0x80, 1, 0x42])),
            .connectionNotice(time: 3, connection: t, event: .rexmitInconsistency(old: [1], new: [2])),
        ])
        let out = engine.takeOutput()
        XCTAssertEqual(out.noticeMessages, [
            "10.0.0.1/2000 > 10.0.0.2/portmap content gap (< 16/77)",
            "10.0.0.1/2000 > 10.0.0.2/portmap ack above a hole",
            "10.0.0.1/2000 > 10.0.0.2/portmap rexmit inconsistency (\\x80\\0A) (\\x80^AB)",
        ])
        XCTAssertEqual(out.notices.map(\.note), ["ContentGap", "AckAboveHole", "RetransmissionInconsistency"])
        XCTAssertEqual(out.tags, ["1", "1", "1"])
        engine.remove(at: 4, t)
        engine.process([.connectionNotice(time: 5, connection: t, event: .rexmitInconsistency(old: [1], new: [2]))])
        XCTAssertEqual(engine.takeOutput().notices.count, 1, "once per connection, reset at removal")
    }

    func testNoticeActionConfiguration() {
        var configuration = PolicyConfiguration()
        configuration.noticeActions["WeirdActivity"] = .file
        configuration.noticeActions["SensitivePortmapperAccess"] = .ignore
        let engine = PolicyEngine(configuration: configuration)
        let weird = engine.weird(at: 1, "made_up", .net)
        XCTAssertEqual(weird.notices.count, 1)
        XCTAssertFalse(weird.notices[0].writesAlarm)
        XCTAssertTrue(engine.feed(at: 2, Fixture.udp(), .requestSet(Fixture.mapping(1, 1), success: true)).notices.isEmpty)
        XCTAssertEqual(engine.addl(Fixture.udp()), "unknown-1 1 (ok) @2",
                       "an ignored notice still draws and appends its tag")
    }

    func testJSONLines() {
        let engine = PolicyEngine()
        let out = engine.weird(at: 1.5, "bad_RPC: binpac \"x\"", .connection(Fixture.udp()))
        XCTAssertEqual(JSONLogLines.weird(out.weirds[0]),
                       #"{"ts":1.500000,"name":"bad_RPC: binpac \"x\"","id":"10.0.0.1/1000 > 10.0.0.2/portmap","addl":"","unknown_name":true,"message":"** 10.0.0.1/1000 > 10.0.0.2/portmap: bad_RPC: binpac \"x\""}"#)
        XCTAssertEqual(JSONLogLines.notice(out.notices[0]),
                       #"{"ts":1.500000,"note":"WeirdActivity","action":"NOTICE_ALARM_ALWAYS","src":"10.0.0.1","src_port":"1000/udp","dst":"10.0.0.2","dst_port":"111/udp","num":null,"msg":"** 10.0.0.1/1000 > 10.0.0.2/portmap: bad_RPC: binpac \"x\"","sub":null,"tag":"@1"}"#)
        XCTAssertEqual(JSONLogLines.alarm(out.notices[0]),
                       #"{"ts":1.500000,"note":"WeirdActivity","msg":"** 10.0.0.1/1000 > 10.0.0.2/portmap: bad_RPC: binpac \"x\""}"#)
        XCTAssertEqual(JSONObject.quote("a\u{1}\n"), #""a\u0001\n""#)
    }

    func testLogWriterWritesBothFormats() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policy-writer-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = PolicyEngine()
        let out = engine.weird(at: 2, "made_up", .net)
        for format in LogFormat.allCases {
            let writer = try PolicyLogWriter(directory: directory.path, format: format)
            writer.write(out)
            writer.close()
            let weird = try String(contentsOf: directory.appendingPathComponent(format.fileName("weird")), encoding: .utf8)
            let alarm = try String(contentsOf: directory.appendingPathComponent(format.fileName("alarm")), encoding: .utf8)
            XCTAssertEqual(weird, (format == .reference ? ReferenceLogLines.weird(out.weirds[0]) : JSONLogLines.weird(out.weirds[0])) + "\n")
            XCTAssertEqual(alarm.split(separator: "\n").count, 1)
        }
        XCTAssertThrowsError(try PolicyLogWriter(directory: "/nonexistent/dir", format: .reference))
    }
}
