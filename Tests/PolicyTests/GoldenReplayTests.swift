import Foundation
import PacketDecoding
import XCTest
@testable import Policy

/// Feeds each corpus's golden events.txt (parsed back into policy inputs) plus the
/// connection removals inferable from conn.log, and compares the policy logs with the
/// goldens. SEMANTICS-RPC says every golden notice/alarm/weird line and every conn.log
/// annotation was re-derived from events.txt with the policy rules, so this checks the
/// rules end to end without the packet stages.
///
/// Removal times are not in events.txt: UDP port-111 connections are removed 24 s after
/// their start (before the first later event), everything else at the end in conn.log
/// order. `bad_pm_port` weirds are *not* taken from events.txt but derived by the engine
/// from `pm_bad_port` (queued behind the packet's events), which checks that rule too.
final class GoldenReplayTests: XCTestCase {
    static let corporaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora")

    struct Replay {
        var weird: [String] = []
        var notice: [String] = []
        var alarm: [String] = []
        /// (golden line, produced "service addl") for compared conn.log lines.
        var connections: [(expected: String, produced: String)] = []
    }

    struct Golden {
        var weird: [String]
        var notice: [String]
        var alarm: [String]
    }

    func read(_ corpus: String, _ mode: String, _ file: String) throws -> String {
        let url = Self.corporaDirectory.appendingPathComponent(corpus).appendingPathComponent("golden")
            .appendingPathComponent(mode).appendingPathComponent(file)
        return try String(contentsOf: url, encoding: .utf8)
    }

    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    func replay(_ corpus: String, _ mode: String, injectTCPNotices: Bool = false) throws -> (Replay, Golden) {
        var events = GoldenEventsParser.parse(try read(corpus, mode, "events.txt"))
        if injectTCPNotices {
            events = merge(events, try tcpNotices(corpus, mode))
        }
        let conns = GoldenEventsParser.connLines(try read(corpus, mode, "conn.log"))
            .filter { !($0.id.proto == .udp && $0.state == "SHR") }
        let engine = PolicyEngine()
        var result = Replay()
        var annotations: [UInt64: ConnectionAnnotation] = [:]

        // Removal plan: UDP RPC connections at start + 24 s, the rest at the end.
        var timed: [(deadline: Double, token: Int)] = []
        var atEnd: [Int] = []
        for (index, conn) in conns.enumerated() {
            if conn.id.proto == .udp && conn.id.responderPort == 111 {
                timed.append((conn.start + 24, index))
            } else {
                atEnd.append(index)
            }
        }
        timed.sort { ($0.deadline, $0.token) < ($1.deadline, $1.token) }
        var nextTimed = 0
        func removal(_ index: Int, at time: Double) -> PolicyInput {
            let conn = conns[index]
            let connection = PolicyConnection(id: conn.id, originatorState: 1, responderState: 1)
            return .connectionRemoved(time: time, removal: ConnectionRemoval(connection: connection, token: UInt64(index)))
        }
        func collect() {
            let output = engine.takeOutput()
            result.weird += output.weirds.map(ReferenceLogLines.weird)
            result.notice += output.notices.map(ReferenceLogLines.notice)
            result.alarm += output.notices.filter(\.writesAlarm).map(ReferenceLogLines.alarm)
            for annotation in output.connections { annotations[annotation.token] = annotation }
        }

        // One drain per distinct timestamp (≈ one packet).
        var index = 0
        while index < events.count {
            let time = events[index].time
            var batch: [PolicyInput] = []
            // Expiry timers fire before the packet: the connection's own timeout attempts
            // (stamped with this packet's time) precede its removal.
            while nextTimed < timed.count && timed[nextTimed].deadline <= time {
                let conn = conns[timed[nextTimed].token]
                while index < events.count && events[index].time == time && events[index].kind.hasPrefix("pm_attempt_"),
                      case .portmapper(_, let c, _)? = events[index].input, c.id == conn.id {
                    batch.append(events[index].input!)
                    index += 1
                }
                batch.append(removal(timed[nextTimed].token, at: time))
                nextTimed += 1
            }
            while index < events.count && events[index].time == time {
                let event = events[index]
                index += 1
                if event.kind == "conn_weird_addl", case .weird(_, let w)? = event.input, w.name == "bad_pm_port" { continue }
                if let input = event.input { batch.append(input) }
            }
            engine.process(batch)
            collect()
        }
        let end = events.last?.time ?? 0
        var flush: [PolicyInput] = []
        // End of trace: remaining timers in time order, then the other connections.
        while nextTimed < timed.count {
            let token = timed[nextTimed].token
            flush.append(removal(token, at: end))
            nextTimed += 1
        }
        flush += atEnd.map { removal($0, at: end) }
        flush.append(.endOfInput(time: end))
        engine.process(flush)
        collect()

        for (index, conn) in conns.enumerated() {
            let produced = annotations[UInt64(index)].map { "\($0.service) \($0.addl)" } ?? "<none>"
            result.connections.append(("\(conn.service) \(conn.addl)", produced))
        }
        let golden = Golden(weird: lines(try read(corpus, mode, "weird.log")),
                            notice: lines(try read(corpus, mode, "notice.log")),
                            alarm: lines(try read(corpus, mode, "alarm.log")))
        return (result, golden)
    }

    /// The TCP-layer notices (not in events.txt) rebuilt from the golden notice/alarm
    /// lines, so the global tag counter sees them; rexmit texts are parsed back to bytes.
    func tcpNotices(_ corpus: String, _ mode: String) throws -> [GoldenEventsParser.Event] {
        let notices = lines(try read(corpus, mode, "notice.log"))
        let alarms = lines(try read(corpus, mode, "alarm.log"))
        var events: [GoldenEventsParser.Event] = []
        for (notice, alarm) in zip(notices, alarms) {
            let fields = notice.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let note = fields[1]
            guard ["RetransmissionInconsistency", "ContentGap", "AckAboveHole"].contains(note),
                  let time = Double(fields[0]),
                  let id = GoldenEventsParser.connectionID(fields[4] + ":" + fields[5], fields[6] + ":" + fields[7])
            else { continue }
            let message = String(alarm.split(separator: " ", maxSplits: 2)[2])
            let event: ConnectionNoticeEvent
            switch note {
            case "AckAboveHole":
                event = .ackAboveHole
            case "ContentGap":
                let inner = message[message.range(of: "content gap (")!.upperBound...].dropLast()
                let parts = inner.split(separator: " ")
                let numbers = parts[1].split(separator: "/")
                event = .contentGap(isOriginator: parts[0] == ">", sequence: UInt64(numbers[0])!, length: UInt64(numbers[1])!)
            default:
                let texts = message[message.range(of: "rexmit inconsistency (")!.upperBound...].dropLast()
                let halves = texts.components(separatedBy: ") (")
                event = .rexmitInconsistency(old: BroStringRenderTests.unrender(halves[0]),
                                             new: BroStringRenderTests.unrender(halves[1]))
            }
            let connection = PolicyConnection(id: id, originatorState: 4, responderState: 4)
            events.append(.init(time: time, input: .connectionNotice(time: time, connection: connection, event: event),
                                kind: "tcp_notice"))
        }
        return events
    }

    /// Inserts `extra` before the events of the same timestamp (TCP processing of a packet
    /// precedes the RPC events it delivers).
    func merge(_ events: [GoldenEventsParser.Event], _ extra: [GoldenEventsParser.Event]) -> [GoldenEventsParser.Event] {
        var result: [GoldenEventsParser.Event] = []
        var pending = extra[...]
        for event in events {
            while let first = pending.first, first.time <= event.time {
                result.append(first)
                pending = pending.dropFirst()
            }
            result.append(event)
        }
        result += pending
        return result
    }

    /// Line-by-line comparison that reports the first difference readably.
    func compare(_ produced: [String], _ expected: [String], _ what: String, file: StaticString, line: UInt) {
        guard produced != expected else { return }
        let common = min(produced.count, expected.count)
        let index = (0..<common).first { produced[$0] != expected[$0] } ?? common
        let got = index < produced.count ? produced[index] : "<end>"
        let want = index < expected.count ? expected[index] : "<end>"
        XCTFail("\(what): \(produced.count) vs \(expected.count) lines; first difference at line \(index + 1):\n got: \(got)\nwant: \(want)",
                file: file, line: line)
    }

    func check(_ corpus: String, modes: [String] = ["nochecksum", "default"], connections: Bool = true,
               injectTCPNotices: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
        for mode in modes {
            let (replay, golden) = try replay(corpus, mode, injectTCPNotices: injectTCPNotices)
            compare(replay.weird, golden.weird, "\(corpus)/\(mode) weird.log", file: file, line: line)
            compare(replay.notice, golden.notice, "\(corpus)/\(mode) notice.log", file: file, line: line)
            compare(replay.alarm, golden.alarm, "\(corpus)/\(mode) alarm.log", file: file, line: line)
            if connections {
                for pair in replay.connections where pair.expected != pair.produced {
                    XCTFail("\(corpus)/\(mode) conn.log service+addl: expected '\(pair.expected)', got '\(pair.produced)'",
                            file: file, line: line)
                }
            }
        }
    }

    func testBadPorts() throws { try check("rpcbind-bad-ports") }
    func testUDPDialogues() throws { try check("rpcbind-v2-udp-dialogues") }
    func testUDPErrors() throws { try check("rpcbind-v2-udp-errors") }
    func testRPCBindV34() throws { try check("rpcbind-v34-rpcbind") }
    func testRPCInfoClient() throws { try check("rpcbind-rpcinfo-client") }
    func testTCPFraming() throws { try check("rpcbind-v2-tcp-framing") }
    func testSadmind() throws { try check("zeek-rpc-portmap-sadmind") }
    func testNFSWrite() throws { try check("zeek-nfs-write") }
    func testSynthMixSmall() throws { try check("synth-mix-small") }
    /// synth-nasty also has TCP-layer notices (re-injected from the goldens) and TCP
    /// connections removed mid-trace (times unknown), so conn.log is not compared.
    func testSynthNasty() throws { try check("synth-nasty", connections: false, injectTCPNotices: true) }
}
