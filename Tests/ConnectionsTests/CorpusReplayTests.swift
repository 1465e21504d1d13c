import Connections
import XCTest

/// Whole traces through intake and the connection layer: every conn.log line
/// must match the golden's in all connection-layer fields (service and addl are
/// the policy's), as a multiset.
final class CorpusReplayTests: XCTestCase {
    static let pcapCorpora = [
        "rpcbind-bad-ports", "rpcbind-rpcinfo-client", "rpcbind-v2-tcp-framing", "rpcbind-v2-udp-dialogues",
        "rpcbind-v2-udp-errors", "rpcbind-v34-rpcbind", "synth-nasty", "zeek-mount-base", "zeek-nfs-write",
        "zeek-portmapper-many-unanswered-calls", "zeek-rpc-portmap-sadmind", "synth-mix-small",
    ]

    private func check(_ corpus: String, mode: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let replay = try CorpusReplay(corpus: corpus, checksums: mode == "default")
        let ours = replay.connLines.map(CorpusReplay.connectionFields).sorted()
        let golden = try CorpusReplay.goldenLines(corpus, mode: mode, log: "conn.log")
            .map(CorpusReplay.connectionFields).sorted()
        XCTAssertEqual(ours.count, golden.count, "\(corpus)/\(mode): line count", file: file, line: line)
        let missing = golden.filter { !ours.contains($0) }
        let extra = ours.filter { !golden.contains($0) }
        XCTAssertTrue(missing.isEmpty && extra.isEmpty,
                      "\(corpus)/\(mode):\n missing \(missing)\n extra \(extra)", file: file, line: line)
    }

    func testTCPFramingNoChecksum() throws { try check("rpcbind-v2-tcp-framing", mode: "nochecksum") }
    func testTCPFramingDefault() throws { try check("rpcbind-v2-tcp-framing", mode: "default") }
    func testRPCInfoClientNoChecksum() throws { try check("rpcbind-rpcinfo-client", mode: "nochecksum") }
    func testRPCInfoClientDefault() throws { try check("rpcbind-rpcinfo-client", mode: "default") }

    func testEveryPcapCorpusBothModes() throws {
        var checked = 0
        for corpus in Self.pcapCorpora {
            guard CorpusReplay.tracePath(corpus) != nil else { continue }
            for mode in ["default", "nochecksum"] { try check(corpus, mode: mode) }
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 11, "corpora missing")
    }

    /// The connection layer's conn weirds, in order, equal the golden events.txt
    /// lines with those names (events.txt lists every raised weird, suppressed or not).
    func testConnectionLayerWeirdEventsInOrder() throws {
        var compared = 0
        for corpus in Self.pcapCorpora {
            guard CorpusReplay.tracePath(corpus) != nil else { continue }
            for mode in ["default", "nochecksum"] {
                let replay = try CorpusReplay(corpus: corpus, checksums: mode == "default")
                let golden = try CorpusReplay.goldenConnectionLayerWeirds(corpus, mode: mode)
                XCTAssertEqual(replay.weirdEvents, golden, "\(corpus)/\(mode)")
                compared += golden.count
            }
        }
        XCTAssertGreaterThan(compared, 300)
    }

    /// SEMANTICS-CONN §2.7's example: RPC-expiry removals first (start order),
    /// then the TCP connections in the compressor table's hash order.
    func testRPCInfoClientFlushOrder() throws {
        let nochecksum = try CorpusReplay(corpus: "rpcbind-rpcinfo-client", checksums: false)
        let ports = nochecksum.connLines.map { line -> String in
            let f = line.split(separator: " ")
            return "\(f[7]) \(f[5])"
        }
        XCTAssertEqual(ports, ["udp 670", "udp 672", "udp 674", "udp 676", "udp 678"]
            + [680, 669, 670, 679, 678, 672, 671, 673, 677, 674, 675, 668, 676].map { "tcp \($0)" })
        // Default mode: the 13 attempt timers (SYN time + 5) come before the UDP expiries.
        let defaultMode = try CorpusReplay(corpus: "rpcbind-rpcinfo-client", checksums: true)
        XCTAssertEqual(defaultMode.connLines.map { $0.split(separator: " ")[7] },
                       Array(repeating: "tcp", count: 13) + Array(repeating: "udp", count: 5))
    }
}
