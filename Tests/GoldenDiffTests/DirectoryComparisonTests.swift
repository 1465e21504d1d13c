import GoldenDiff
import XCTest

final class DirectoryComparisonTests: XCTestCase {
    func testMissingFilesCountAsEmpty() throws {
        let tmp = try TemporaryDirectory()
        try tmp.write("w1\n", to: "weird.log", in: "golden")
        try tmp.write("", to: "notice.log", in: "out")
        let result = try GoldenDiff.compare(goldenDirectory: tmp.sub("golden"), outputDirectory: tmp.sub("out"))
        XCTAssertEqual(result.logs.map(\.goldenName), ["conn.log", "weird.log", "notice.log", "alarm.log"])

        let weird = result.logs[1]
        XCTAssertTrue(weird.goldenFileExists)
        XCTAssertFalse(weird.outputFileExists)
        XCTAssertEqual([weird.goldenCount, weird.matched, weird.missing, weird.extra], [1, 0, 1, 0])

        let notice = result.logs[2]
        XCTAssertFalse(notice.goldenFileExists)
        XCTAssertTrue(notice.outputFileExists)
        XCTAssertTrue(notice.matches, "missing golden and empty output are equal")
        XCTAssertFalse(result.allMatch)

        let report = result.report()
        XCTAssertTrue(report.contains("note: output has no weird.log; counted as empty"), report)
        XCTAssertTrue(report.contains("note: golden has no notice.log; counted as empty"), report)
    }

    func testEventsAreInformationalAndNeedBothFiles() throws {
        let tmp = try TemporaryDirectory()
        try tmp.write("c\n", to: "conn.log", in: "golden")
        try tmp.write("c\n", to: "conn.log", in: "out")
        try tmp.write("e1\ne2\n", to: "events.txt", in: "golden")
        var result = try GoldenDiff.compare(goldenDirectory: tmp.sub("golden"), outputDirectory: tmp.sub("out"))
        XCTAssertNil(result.events, "no events.log in output: not compared")

        try tmp.write("e2\n", to: "events.log", in: "out")
        result = try GoldenDiff.compare(goldenDirectory: tmp.sub("golden"), outputDirectory: tmp.sub("out"))
        let events = try XCTUnwrap(result.events)
        XCTAssertEqual([events.goldenCount, events.matched, events.missing], [2, 1, 1])
        XCTAssertTrue(result.allMatch, "events never decide the result")
        XCTAssertTrue(result.report().contains("events (informational"))
    }

    func testReportShowsCountsAndLimitedLines() throws {
        let tmp = try TemporaryDirectory()
        try tmp.write((1...9).map { "g\($0)\n" }.joined(), to: "alarm.log", in: "golden")
        try tmp.write("g1\nnew\n", to: "alarm.log", in: "out")
        let result = try GoldenDiff.compare(
            goldenDirectory: tmp.sub("golden"), outputDirectory: tmp.sub("out"), options: .init(showLimit: 2))
        let report = result.report()
        XCTAssertTrue(report.contains("alarm.log: golden 9 / matched 1 / missing 8 / extra 1  MISMATCH"), report)
        XCTAssertTrue(report.contains("    - g2\n    - g3\n"), report)
        XCTAssertFalse(report.contains("- g4"), report)
        XCTAssertTrue(report.contains("    + new\n"), report)
        XCTAssertTrue(report.hasSuffix("result: MISMATCH in alarm.log\n"), report)
    }

    func testBlessCopiesOutputAndThenMatches() throws {
        let tmp = try TemporaryDirectory()
        try tmp.write("c1\nc2\n", to: "conn.log", in: "out")
        try tmp.write("w\n", to: "weird.log", in: "out")
        try tmp.write("ev\n", to: "events.log", in: "out")
        let golden = tmp.sub("new/golden/default")  // does not exist yet
        let before = try GoldenDiff.compare(goldenDirectory: golden, outputDirectory: tmp.sub("out"))
        XCTAssertFalse(before.allMatch)

        let written = try GoldenDiff.bless(outputDirectory: tmp.sub("out"), into: golden)
        XCTAssertEqual(written, ["conn.log", "weird.log", "notice.log", "alarm.log", "events.txt"])
        XCTAssertEqual(try String(contentsOfFile: golden + "/conn.log", encoding: .utf8), "c1\nc2\n")
        XCTAssertEqual(try String(contentsOfFile: golden + "/notice.log", encoding: .utf8), "", "missing output log blessed as empty")
        XCTAssertEqual(try String(contentsOfFile: golden + "/events.txt", encoding: .utf8), "ev\n")

        let after = try GoldenDiff.compare(goldenDirectory: golden, outputDirectory: tmp.sub("out"))
        XCTAssertTrue(after.allMatch)
        XCTAssertEqual(after.events?.matches, true)
    }

    func testBlessOverwritesAndKeepsUnrelatedGoldenFiles() throws {
        let tmp = try TemporaryDirectory()
        try tmp.write("old\n", to: "conn.log", in: "golden")
        try tmp.write("warning\n", to: "stderr.txt", in: "golden")
        try tmp.write("old events\n", to: "events.txt", in: "golden")
        try tmp.write("new\n", to: "conn.log", in: "out")
        try GoldenDiff.bless(outputDirectory: tmp.sub("out"), into: tmp.sub("golden"))
        XCTAssertEqual(try String(contentsOfFile: tmp.sub("golden/conn.log"), encoding: .utf8), "new\n")
        XCTAssertEqual(try String(contentsOfFile: tmp.sub("golden/stderr.txt"), encoding: .utf8), "warning\n")
        XCTAssertEqual(try String(contentsOfFile: tmp.sub("golden/events.txt"), encoding: .utf8), "old events\n",
                       "no events.log in output: golden events stay")
    }

    func testBlessRefusesAMissingOutputDirectory() throws {
        let tmp = try TemporaryDirectory()
        XCTAssertThrowsError(try GoldenDiff.bless(outputDirectory: tmp.sub("absent"), into: tmp.sub("golden"))) {
            XCTAssertEqual($0 as? GoldenDiff.BlessError, .noOutputDirectory(tmp.sub("absent")))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.sub("golden")))
    }
}
