import PacketDecoding
import XCTest
@testable import Policy

/// Table expiry with sweeps that skip tables whose earliest possible expiry lies
/// ahead: entries must still go (and report) at the first sweep after they expire,
/// in any order of insertion and refresh.
final class ExpiryTests: XCTestCase {
    private func scan(_ engine: PolicyEngine, from scanner: IPv4Address, at time: Double, hosts: ClosedRange<Int>) {
        for host in hosts {
            let target = Fixture.udp(UInt16(4000 + host), client: scanner, server: IPv4Address(10, 9, 0, UInt8(host)))
            engine.feed(at: time, target, .attemptNull(.timeout))
        }
    }

    /// Steps network time by 5 s up to `end`, returning each ScanSummary message with
    /// the time of the sweep that reported it.
    private func summaries(_ engine: PolicyEngine, from start: Double, to end: Double) -> [(Double, String)] {
        var found: [(Double, String)] = []
        for time in stride(from: start, through: end, by: 5) {
            engine.process([.networkTime(time)])
            for notice in engine.takeOutput().notices where notice.note == "ScanSummary" {
                found.append((time, notice.message))
            }
        }
        return found
    }

    func testScanSummariesAtTheFirstSweepAfterReadExpiry() {
        let engine = PolicyEngine()
        let early = IPv4Address(10, 0, 0, 1), late = IPv4Address(10, 0, 0, 3)
        scan(engine, from: early, at: 1, hosts: 1...25)
        XCTAssertTrue(summaries(engine, from: 5, to: 95).isEmpty)
        scan(engine, from: late, at: 100, hosts: 1...30)
        XCTAssertTrue(summaries(engine, from: 105, to: 495).isEmpty)
        // A new attempt refreshes the early scanner's read time: it now expires after `late`.
        scan(engine, from: early, at: 500, hosts: 1...1)
        let reported = summaries(engine, from: 505, to: 1600)
        XCTAssertEqual(reported.map(\.1), ["10.0.0.3 scanned a total of 30 hosts",
                                           "10.0.0.1 scanned a total of 25 hosts"])
        guard reported.count == 2 else { return }
        // Read expiry is 15 min and sweeps run every 10 s of network time.
        XCTAssertGreaterThan(reported[0].0, 100 + 900)
        XCTAssertLessThanOrEqual(reported[0].0, 100 + 900 + 15)
        XCTAssertGreaterThan(reported[1].0, 500 + 900)
        XCTAssertLessThanOrEqual(reported[1].0, 500 + 900 + 15)
        // Both tables are gone: nothing left for the end-of-run summaries.
        engine.process([.endOfInput(time: 1700)])
        XCTAssertTrue(engine.takeOutput().notices.isEmpty)
    }

    /// A scanner whose table expired starts over: its new peers count from one.
    func testExpiredScannerStartsOver() {
        let engine = PolicyEngine()
        let scanner = IPv4Address(10, 0, 0, 5)
        scan(engine, from: scanner, at: 1, hosts: 1...10)
        _ = summaries(engine, from: 5, to: 1000)
        scan(engine, from: scanner, at: 1001, hosts: 11...30)
        engine.process([.endOfInput(time: 1002)])
        XCTAssertEqual(engine.takeOutput().noticeMessages.filter { $0.contains("total") }, [],
                       "20 hosts after expiry stay below the 25-host summary trigger")
    }
}
