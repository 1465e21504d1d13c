import Foundation
import XCTest

/// `rpcreplay replay` as a user runs it (the built binary: $RPCREPLAY_BIN or the debug build).
final class ReplayCommandTests: XCTestCase {
    static let referenceLogs = ["conn.log", "weird.log", "notice.log", "alarm.log"]

    func testWritesTheFourLogsEvenWhenEmptyAndNoEventsByDefault() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let out = scratch.appendingPathComponent("nested/out").path
        let result = try EngineTestSupport.rpcreplay(["replay", "--quiet", "--out", out, try EngineTestSupport.trace("zeek-mount-base")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "--quiet prints nothing")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(files, Self.referenceLogs.sorted())
        for name in files {
            XCTAssertEqual(try EngineTestSupport.bytes(URL(fileURLWithPath: out).appendingPathComponent(name)).count, 0, name)
        }
    }

    func testMatchesGoldenAndPrintsSummaryAndWarnings() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let out = scratch.appendingPathComponent("out").path
        let result = try EngineTestSupport.rpcreplay(
            ["replay", "--no-checksums", "--events", "--out", out, try EngineTestSupport.trace("rpcbind-bad-ports")])
        XCTAssertEqual(result.status, 0, result.stderr)
        let stderr = result.stderr.split(separator: "\n").map(String.init)
        // The reference's UDP port warning (SET of wire port 70000), then the summary.
        XCTAssertEqual(stderr.first, "1795407887.622736 <no location> (70000): internal warning: bad port number")
        XCTAssertEqual(stderr.last,
                       "rpcreplay: 8 packets read, 8 matched the filter, 1 connections, 8 events, 0 weirds, 4 notices")
        let diff = try EngineTestSupport.rpcreplay(
            ["diff", EngineTestSupport.goldenDirectory("rpcbind-bad-ports", "nochecksum"), out])
        XCTAssertEqual(diff.status, 0, diff.stdout)
        XCTAssertTrue(diff.stdout.contains("events (informational, not a pass criterion): golden 8 / matched 8"), diff.stdout)
    }

    /// `--shards`: any count writes the bytes of `--shards 1` (JSON too); a count
    /// out of range is a usage error before anything is written.
    func testShardCountChangesNoByte() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let trace = try EngineTestSupport.trace("synth-nasty")
        for format in ["reference", "json"] {
            var outputs: [String] = []
            for shards in ["1", "3"] {
                let out = scratch.appendingPathComponent("\(format)-\(shards)").path
                let result = try EngineTestSupport.rpcreplay(
                    ["replay", "--quiet", "--events", "--format", format, "--shards", shards, "--out", out, trace])
                XCTAssertEqual(result.status, 0, result.stderr)
                outputs.append(out)
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: outputs[0]).sorted()
            XCTAssertEqual(names.count, 5, format)
            for name in names {
                XCTAssertEqual(try EngineTestSupport.bytes(URL(fileURLWithPath: outputs[0]).appendingPathComponent(name)),
                               try EngineTestSupport.bytes(URL(fileURLWithPath: outputs[1]).appendingPathComponent(name)),
                               "\(format): \(name)")
            }
        }
        let out = scratch.appendingPathComponent("zero").path
        let zero = try EngineTestSupport.rpcreplay(["replay", "--shards", "0", "--out", out, trace])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--shards"), zero.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testJSONFormatHasOneObjectPerReferenceLine() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let text = scratch.appendingPathComponent("text").path
        let json = scratch.appendingPathComponent("json").path
        let trace = try EngineTestSupport.trace("rpcbind-rpcinfo-client")
        XCTAssertEqual(try EngineTestSupport.rpcreplay(["replay", "--quiet", "--no-checksums", "--events", "--out", text, trace]).status, 0)
        let result = try EngineTestSupport.rpcreplay(
            ["replay", "--quiet", "--no-checksums", "--events", "--format", "json", "--out", json, trace])
        XCTAssertEqual(result.status, 0, result.stderr)
        for log in ["conn", "weird", "notice", "alarm", "events"] {
            let textLines = try EngineTestSupport.lines(URL(fileURLWithPath: text).appendingPathComponent(log + ".log"))
            let jsonLines = try EngineTestSupport.lines(URL(fileURLWithPath: json).appendingPathComponent(log + ".jsonl"))
            XCTAssertEqual(jsonLines.count, textLines.count, log)
            for line in jsonLines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                XCTAssertNotNil(object?["ts"], "\(log): \(line)")
            }
        }
        // The conn record carries the reference line's fields.
        let firstText = try EngineTestSupport.lines(URL(fileURLWithPath: text).appendingPathComponent("conn.log"))[0]
        let firstJSON = try EngineTestSupport.lines(URL(fileURLWithPath: json).appendingPathComponent("conn.jsonl"))[0]
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(firstJSON.utf8)) as? [String: Any])
        let fields = firstText.split(separator: " ").map(String.init)
        XCTAssertEqual(object["orig_h"] as? String, fields[2])
        XCTAssertEqual(object["service"] as? String, fields[4])
        XCTAssertEqual(object["state"] as? String, fields[10])
    }

    func testCorruptInputExitsThreeAfterWritingTheLogs() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let out = scratch.appendingPathComponent("out").path
        let damaged = EngineTestSupport.corpora.appendingPathComponent("variants/zeek-nfs-write.truncated.pcap").path
        guard FileManager.default.fileExists(atPath: damaged) else { throw XCTSkip("no truncated variant") }
        let result = try EngineTestSupport.rpcreplay(["replay", "--out", out, damaged])
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains("\(damaged): byte offset 9832: truncated record"), result.stderr)
        XCTAssertTrue(result.stderr.contains("rpcreplay: 73 packets read"), result.stderr)
        let conn = try EngineTestSupport.lines(URL(fileURLWithPath: out).appendingPathComponent("conn.log"))
        XCTAssertEqual(conn.count, 3, "the three connections open at the fault are flushed: \(conn)")
    }

    func testMissingFileExitsThreeAndNamesIt() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let missing = scratch.appendingPathComponent("nope.pcap").path
        let result = try EngineTestSupport.rpcreplay(["replay", "--quiet", "--out", scratch.appendingPathComponent("o").path, missing])
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains(missing), result.stderr)
    }

    func testRefusesToOverwriteAnInput() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let input = scratch.appendingPathComponent("conn.log")
        try FileManager.default.copyItem(atPath: try EngineTestSupport.trace("rpcbind-bad-ports"), toPath: input.path)
        let before = try EngineTestSupport.bytes(input)
        let result = try EngineTestSupport.rpcreplay(["replay", "--out", scratch.path, input.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("refusing to overwrite an input"), result.stderr)
        XCTAssertEqual(try EngineTestSupport.bytes(input), before)
    }

    func testFilterOptionAndBadFilter() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let trace = try EngineTestSupport.trace("rpcbind-rpcinfo-client")
        let udpOnly = scratch.appendingPathComponent("udp").path
        let result = try EngineTestSupport.rpcreplay(["replay", "--quiet", "--no-checksums", "--filter", "udp port 111", "--out", udpOnly, trace])
        XCTAssertEqual(result.status, 0, result.stderr)
        let conn = try EngineTestSupport.lines(URL(fileURLWithPath: udpOnly).appendingPathComponent("conn.log"))
        XCTAssertFalse(conn.isEmpty)
        XCTAssertTrue(conn.allSatisfy { $0.contains(" udp ") }, "\(conn)")

        let bad = try EngineTestSupport.rpcreplay(["replay", "--filter", "port port", "--out", udpOnly, trace])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("bad capture filter"), bad.stderr)
    }

    func testNoticeTagPrefixAndConfigFile() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let trace = try EngineTestSupport.trace("rpcbind-bad-ports")
        let prefixed = scratch.appendingPathComponent("prefixed").path
        XCTAssertEqual(try EngineTestSupport.rpcreplay(
            ["replay", "--quiet", "--no-checksums", "--notice-tag-prefix", "t", "--out", prefixed, trace]).status, 0)
        let notices = try EngineTestSupport.lines(URL(fileURLWithPath: prefixed).appendingPathComponent("notice.log"))
        XCTAssertEqual(notices.count, 4)
        XCTAssertTrue(notices.allSatisfy { $0.hasSuffix(":@t1") }, "\(notices)")

        // A configuration that files WeirdActivity and the portmapper notice without alarms.
        let config = scratch.appendingPathComponent("policy.yaml")
        try "notice_action: {SensitivePortmapperAccess: NOTICE_FILE}\n".write(to: config, atomically: true, encoding: .utf8)
        let configured = scratch.appendingPathComponent("configured").path
        let result = try EngineTestSupport.rpcreplay(
            ["replay", "--quiet", "--no-checksums", "--config", config.path, "--out", configured, trace])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try EngineTestSupport.lines(URL(fileURLWithPath: configured).appendingPathComponent("notice.log")).count, 4)
        XCTAssertEqual(try EngineTestSupport.lines(URL(fileURLWithPath: configured).appendingPathComponent("alarm.log")), [])

        let broken = scratch.appendingPathComponent("broken.yaml")
        try "no_such_setting: 1\n".write(to: broken, atomically: true, encoding: .utf8)
        let rejected = try EngineTestSupport.rpcreplay(["replay", "--config", broken.path, "--out", configured, trace])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.stderr.contains("no_such_setting"), rejected.stderr)
    }
}
