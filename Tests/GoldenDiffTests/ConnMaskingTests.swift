@testable import GoldenDiff
import XCTest

final class ConnMaskingTests: XCTestCase {
    private func conn(_ golden: [String], _ output: [String], fieldsOnly: Bool = false) -> LogComparison {
        GoldenDiff.compareLog(
            named: "conn.log",
            golden: LogLines(text: golden.map { $0 + "\n" }.joined()),
            output: LogLines(text: output.map { $0 + "\n" }.joined()),
            options: .init(connFieldsOnly: fieldsOnly))
    }

    // The reference writes garbage endpoints for reply-first UDP flows.
    let referenceSHR = "1700000000.006381 0.000000 147.85.0.0 72.133.192.116 other 8294 37717 udp ? 28 SHR X"
    let projectSHR = "1700000000.006381 0.000000 10.0.0.2 10.0.0.1 portmap 111 40000 udp ? 28 SHR X"

    func testUdpSHREndpointsAndServiceAreMasked() {
        let result = conn([referenceSHR], [projectSHR])
        XCTAssertTrue(result.matches)
        XCTAssertEqual(result.maskedLines, 2)
    }

    func testUdpSHRStillComparesTheOtherFields() {
        let otherBytes = projectSHR.replacingOccurrences(of: "? 28", with: "? 29")
        XCTAssertFalse(conn([referenceSHR], [otherBytes]).matches)
        let otherStart = projectSHR.replacingOccurrences(of: "1700000000.006381", with: "1700000000.006382")
        XCTAssertFalse(conn([referenceSHR], [otherStart]).matches)
        XCTAssertFalse(conn([referenceSHR + " @1"], [projectSHR]).matches, "addl is compared")
    }

    func testTcpSHRIsNotMasked() {
        let golden = referenceSHR.replacingOccurrences(of: " udp ", with: " tcp ")
        let output = projectSHR.replacingOccurrences(of: " udp ", with: " tcp ")
        let result = conn([golden], [output])
        XCTAssertFalse(result.matches)
        XCTAssertEqual(result.maskedLines, 0)
    }

    func testUdpSFIsNotMasked() {
        let golden = referenceSHR.replacingOccurrences(of: " SHR ", with: " SF ")
        let output = projectSHR.replacingOccurrences(of: " SHR ", with: " SF ")
        XCTAssertFalse(conn([golden], [output]).matches)
    }

    func testMaskingOnlyAppliesToConnLog() {
        let result = GoldenDiff.compareLog(
            named: "weird.log", golden: LogLines(text: referenceSHR), output: LogLines(text: projectSHR))
        XCTAssertFalse(result.matches)
    }

    func testReportedLinesAreTheOriginalUnmaskedText() {
        let result = conn([referenceSHR], [projectSHR.replacingOccurrences(of: "? 28", with: "? 29")])
        XCTAssertEqual(result.firstMissing.text, [referenceSHR])
    }

    func testMaskKeyShape() {
        let (key, masked) = ConnLineMask.key(Array((referenceSHR + " a b").utf8), connFieldsOnly: false)
        XCTAssertTrue(masked)
        XCTAssertEqual(String(decoding: key, as: UTF8.self), "1700000000.006381 0.000000 * * * * * udp ? 28 SHR X a b")
    }

    // conn-fields-only: service and addl (which may contain spaces) are ignored.
    let goldenTCP = "1700000000.642466 0.004000 172.20.2.7 172.16.9.2 pm_dump 56073 111 tcp 44 32 SF X @2, (nil) <>"
    let outputTCP = "1700000000.642466 0.004000 172.20.2.7 172.16.9.2 portmap 56073 111 tcp 44 32 SF X"

    func testConnFieldsOnlyIgnoresServiceAndAddl() {
        XCTAssertFalse(conn([goldenTCP], [outputTCP]).matches)
        XCTAssertTrue(conn([goldenTCP], [outputTCP], fieldsOnly: true).matches)
        XCTAssertTrue(conn([goldenTCP], [outputTCP + " @7 different text"], fieldsOnly: true).matches)
    }

    func testConnFieldsOnlyStillComparesConnectionFields() {
        for (from, to) in [(" SF ", " S1 "), (" 44 32 ", " 44 33 "), (" 56073 ", " 56074 "), ("0.004000", "0.004001"), (" X", " L")] {
            let output = outputTCP.replacingOccurrences(of: from, with: to)
            XCTAssertFalse(conn([goldenTCP], [output], fieldsOnly: true).matches, "\(from) -> \(to)")
        }
    }

    func testShortLinesAreComparedVerbatim() {
        XCTAssertTrue(conn(["a b c"], ["a b c"], fieldsOnly: true).matches)
        XCTAssertFalse(conn(["a b c"], ["a b d"], fieldsOnly: true).matches)
        XCTAssertFalse(conn(["1 2 3 4 5 6 7 udp 9 10 SHR"], ["1 2 x 4 5 6 7 udp 9 10 SHR"]).matches)
    }
}
