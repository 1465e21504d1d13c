import GoldenDiff
import XCTest

final class LogLinesTests: XCTestCase {
    func testFinalNewlineDoesNotAddAnEmptyLine() {
        XCTAssertEqual(LogLines(text: "a\nb\n").lines.text, ["a", "b"])
        XCTAssertEqual(LogLines(text: "a\nb").lines.text, ["a", "b"])
        XCTAssertEqual(LogLines(text: "").lines.text, [])
    }

    func testBlankLinesAndCarriageReturnsAreKept() {
        XCTAssertEqual(LogLines(text: "a\n\nb\r\n").lines.text, ["a", "", "b\r"])
    }

    func testLinesAreComparedAsBytesNotCanonicalStrings() {
        // "é" precomposed vs "e" + combining acute: equal as Swift strings, not as bytes.
        let composed = LogLines(text: "caf\u{E9}\n")
        let decomposed = LogLines(text: "cafe\u{301}\n")
        XCTAssertEqual("caf\u{E9}", "cafe\u{301}")
        let result = GoldenDiff.compareLog(named: "weird.log", golden: composed, output: decomposed)
        XCTAssertFalse(result.matches)
    }

    func testMissingFileReadsAsEmptyAndSaysSo() throws {
        let lines = try LogLines(path: "/nonexistent-\(UUID().uuidString)/conn.log")
        XCTAssertFalse(lines.fileExists)
        XCTAssertTrue(lines.lines.isEmpty)
    }

    func testUnreadableFileThrows() throws {
        let tmp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: tmp.sub("conn.log"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try LogLines(path: tmp.sub("conn.log")))
    }
}
