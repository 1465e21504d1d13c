import GoldenDiff
import XCTest

final class MultisetComparisonTests: XCTestCase {
    private func compare(_ golden: String, _ output: String, show: Int = 5) -> LogComparison {
        GoldenDiff.compareLog(
            named: "weird.log", golden: LogLines(text: golden), output: LogLines(text: output),
            options: .init(showLimit: show))
    }

    func testOrderIsIgnored() {
        let result = compare("a\nb\nc\n", "c\na\nb\n")
        XCTAssertTrue(result.matches)
        XCTAssertEqual(result.goldenCount, 3)
        XCTAssertEqual(result.matched, 3)
    }

    func testDuplicatesCount() {
        let fewer = compare("a\na\nb\n", "a\nb\n")
        XCTAssertEqual([fewer.matched, fewer.missing, fewer.extra], [2, 1, 0])
        XCTAssertEqual(fewer.firstMissing.text, ["a"])

        let more = compare("a\nb\n", "a\nb\nb\nb\n")
        XCTAssertEqual([more.matched, more.missing, more.extra], [2, 0, 2])
        XCTAssertEqual(more.firstExtra.text, ["b", "b"])
        XCTAssertEqual(more.outputCount, 4)
    }

    func testMissingAndExtraKeepFileOrder() {
        let result = compare("z\ny\nshared\nx\n", "shared\nc\nb\na\n")
        XCTAssertEqual(result.firstMissing.text, ["z", "y", "x"])
        XCTAssertEqual(result.firstExtra.text, ["c", "b", "a"])
        XCTAssertEqual([result.goldenCount, result.matched, result.missing, result.extra], [4, 1, 3, 3])
    }

    func testShowLimitCapsListedLinesButNotCounts() {
        let golden = (1...20).map { "g\($0)\n" }.joined()
        let output = (1...20).map { "o\($0)\n" }.joined()
        let result = compare(golden, output, show: 3)
        XCTAssertEqual(result.missing, 20)
        XCTAssertEqual(result.extra, 20)
        XCTAssertEqual(result.firstMissing.text, ["g1", "g2", "g3"])
        XCTAssertEqual(result.firstExtra.text, ["o1", "o2", "o3"])
        XCTAssertTrue(compare(golden, output, show: 0).firstMissing.isEmpty)
    }

    func testSpacingIsSignificant() {
        XCTAssertFalse(compare("a b\n", "a  b\n").matches)
        XCTAssertFalse(compare("a b\n", "a b \n").matches)
    }

    func testEmptyLogsMatch() {
        let result = compare("", "")
        XCTAssertTrue(result.matches)
        XCTAssertEqual(result.goldenCount, 0)
    }
}
