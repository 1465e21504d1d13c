import ProgressLine
import XCTest

final class ProgressLineTests: XCTestCase {
    private let ms: UInt64 = 1_000_000

    func testRenderShowsPacketsBytesShareRateAndETA() {
        let line = ProgressLine(label: "replay", startNanos: 0)
        // 500 MB of 1500 MB in 2 s: 250 MB/s, 4 s left.
        let text = line.render(
            ProgressSnapshot(packets: 1_234_567, bytes: 500_000_000, totalBytes: 1_500_000_000),
            elapsedNanos: 2_000 * ms)
        XCTAssertEqual(text, "replay: 1.23M packets, 500 MB of 1.50 GB (33%), 250 MB/s, ETA 0:04")
    }

    func testRenderWithoutTotalHasNoShareNorETA() {
        let line = ProgressLine(label: "synth", startNanos: 0)
        let text = line.render(ProgressSnapshot(packets: 999, bytes: 12_345, totalBytes: 0), elapsedNanos: 1_000 * ms)
        XCTAssertEqual(text, "synth: 999 packets, 12.3 kB, 12.3 kB/s")
    }

    func testETAUsesAverageRateAndNeverGoesNegative() {
        XCTAssertEqual(ProgressLine.eta(ProgressSnapshot(packets: 1, bytes: 100, totalBytes: 400), rate: 50), 6)
        XCTAssertEqual(ProgressLine.eta(ProgressSnapshot(packets: 1, bytes: 500, totalBytes: 400), rate: 50), 0)
        XCTAssertNil(ProgressLine.eta(ProgressSnapshot(packets: 1, bytes: 100, totalBytes: 0), rate: 50))
        XCTAssertNil(ProgressLine.eta(ProgressSnapshot(packets: 0, bytes: 0, totalBytes: 400), rate: 0))
    }

    func testDurationsAndUnits() {
        XCTAssertEqual(ProgressLine.duration(0), "0:00")
        XCTAssertEqual(ProgressLine.duration(6.2), "0:07")
        XCTAssertEqual(ProgressLine.duration(754), "12:34")
        XCTAssertEqual(ProgressLine.duration(3723), "1:02:03")
        XCTAssertEqual(ProgressLine.bytes(999), "999 B")
        XCTAssertEqual(ProgressLine.bytes(1_000), "1.00 kB")
        XCTAssertEqual(ProgressLine.bytes(1_070_000_000), "1.07 GB")
        XCTAssertEqual(ProgressLine.count(45_600), "45.6k")
    }

    func testRedrawsAtMostFourTimesASecond() {
        var line = ProgressLine(label: "replay", startNanos: 0)
        let snapshot = ProgressSnapshot(packets: 1, bytes: 1, totalBytes: 10)
        // Nothing before the first interval: short jobs print nothing.
        XCTAssertNil(line.update(snapshot, nowNanos: 100 * ms))
        XCTAssertFalse(line.hasDrawn)
        var drawn = 0
        for t in stride(from: 250, through: 2_249, by: 10) {
            if line.update(snapshot, nowNanos: UInt64(t) * ms) != nil { drawn += 1 }
        }
        // Redraws at 250, 500, ..., 2000 ms.
        XCTAssertEqual(drawn, 8)
    }

    func testLinesStartWithCarriageReturnAndFinishErases() throws {
        var line = ProgressLine(label: "replay", startNanos: 0)
        XCTAssertEqual(line.finish(), "", "nothing drawn, nothing to erase")
        let text = try XCTUnwrap(line.update(ProgressSnapshot(packets: 1, bytes: 1, totalBytes: 0), nowNanos: 300 * ms))
        XCTAssertTrue(text.hasPrefix("\r"))
        XCTAssertTrue(text.hasSuffix(ProgressLine.eraseToEndOfLine))
        XCTAssertFalse(text.contains("\n"))
        XCTAssertEqual(line.finish(), "\r" + ProgressLine.eraseToEndOfLine)
    }

    func testReporterIsSilentWhenNotATerminalOrQuiet() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]) }
        let reporter = ProgressReporter(label: "replay", quiet: false, descriptor: fds[1])
        XCTAssertFalse(reporter.isEnabled)
        reporter.observe(ProgressSnapshot(packets: 1, bytes: 1, totalBytes: 1))
        reporter.finish()
        close(fds[1])
        var byte: UInt8 = 0
        XCTAssertEqual(read(fds[0], &byte, 1), 0, "a pipe gets no progress output")
        XCTAssertFalse(ProgressReporter(label: "replay", quiet: true, descriptor: 2).isEnabled)
    }

    func testTotalFileBytesSumsSizesAndIgnoresMissingFiles() throws {
        let path = NSTemporaryDirectory() + "progress-\(getpid()).bin"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(count: 1234)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(ProgressReporter.totalFileBytes([path, path, "/nonexistent/file"]), 2468)
    }
}
