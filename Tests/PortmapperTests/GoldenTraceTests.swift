import CaptureIO
import PacketDecoding
import Portmapper
import SunRPC
import XCTest

/// Sanity check against the reference: the UDP payloads of port-111 packets
/// of real traces, run through one UDP analyzer per connection, must produce
/// the golden (nochecksum) rpc_call / pm_* / RPC weird lines.
///
/// The walk below is deliberately minimal and lives in the test only:
/// Ethernet → IPv4 (unfragmented) → UDP, checksums ignored (the `-C` run),
/// the originator is the side that sent the first packet to port 111
/// (flows whose first packet comes from 111 get no RPC analyzer in the
/// reference), connections expire 24 s after creation at the next port-111
/// packet, and the rest are removed at the last packet's time.
final class GoldenTraceTests: XCTestCase {
    static let corpora = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora")

    struct Flow: Hashable {
        var a: UInt32, aPort: UInt16, b: UInt32, bPort: UInt16
        init(_ s: UInt32, _ sp: UInt16, _ d: UInt32, _ dp: UInt16) {
            if (s, sp) < (d, dp) { (a, aPort, b, bPort) = (s, sp, d, dp) } else { (a, aPort, b, bPort) = (d, dp, s, sp) }
        }
    }

    struct Connection {
        var analyzer: PortmapUDPAnalyzer?
        var created: Double
    }

    struct Outcome {
        var lines: [String] = []
        var warnings = 0
        var packets = 0
    }

    func replayUDP(_ corpus: String) throws -> Outcome {
        let path = Self.corpora.appendingPathComponent(corpus).appendingPathComponent("trace.pcap").path
        let reader = try CaptureReader(path: path)
        XCTAssertEqual(reader.linkTypes, [.ethernet], "the walk below only knows Ethernet")
        var buffer = PortmapEventBuffer()
        var connections: [Flow: Connection] = [:]
        var order: [Flow] = []
        var lastTime = 0.0
        var outcome = Outcome()

        func expire(upTo time: Double) {
            order.removeAll { flow in
                guard let c = connections[flow], c.created + 24 <= time else { return false }
                if var analyzer = c.analyzer { analyzer.connectionRemoved(time: time, into: &buffer) }
                connections[flow] = nil
                return true
            }
        }

        while let packet = try reader.next() {
            let bytes = packet.bytes
            let time = packet.timestamp.doubleValue
            guard bytes.count >= 14 + 20, bytes[12] == 0x08, bytes[13] == 0x00 else { continue }
            let ip = 14
            let headerLength = Int(bytes[ip] & 0x0f) * 4
            let totalLength = Int(bytes[ip + 2]) << 8 | Int(bytes[ip + 3])
            let proto = bytes[ip + 9]
            guard proto == 17 || proto == 6, bytes.count >= ip + headerLength + 4 else { continue }
            let fragment = (Int(bytes[ip + 6]) << 8 | Int(bytes[ip + 7])) & 0x3fff
            let l4 = ip + headerLength
            let sport = UInt16(bytes[l4]) << 8 | UInt16(bytes[l4 + 1])
            let dport = UInt16(bytes[l4 + 2]) << 8 | UInt16(bytes[l4 + 3])
            guard fragment == 0 || sport == 111 || dport == 111 else { continue }
            guard sport == 111 || dport == 111 else { continue }
            // Every port-111 packet advances network time (TCP too).
            expire(upTo: time)
            lastTime = time
            guard proto == 17, fragment == 0 else { continue }
            let src = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: ip + 12, as: UInt32.self))
            let dst = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: ip + 16, as: UInt32.self))
            let flow = Flow(src, sport, dst, dport)
            if connections[flow] == nil {
                var c = Connection(analyzer: nil, created: time)
                if dport == 111 {
                    let id = ConnectionID(originator: IPv4Address(src), originatorPort: sport,
                                          responder: IPv4Address(dst), responderPort: dport, proto: .udp)
                    c.analyzer = PortmapUDPAnalyzer(connection: id)
                }
                connections[flow] = c
                order.append(flow)
            }
            let payloadStart = l4 + 8
            let payloadEnd = ip + totalLength
            guard payloadEnd >= payloadStart, payloadEnd <= bytes.count, var c = connections[flow],
                  var analyzer = c.analyzer else { continue }
            let isOrig = src == analyzer.connection.originator.value && sport == analyzer.connection.originatorPort
            analyzer.deliver(UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<payloadEnd]), isOrig: isOrig,
                             time: time, into: &buffer)
            c.analyzer = analyzer
            connections[flow] = c
            outcome.packets += 1
        }
        for flow in order {
            if var analyzer = connections[flow]?.analyzer { analyzer.connectionRemoved(time: lastTime, into: &buffer) }
        }
        outcome.lines = buffer.events.compactMap { PortmapEventText.line(for: $0, payload: buffer.payloadWords) }
        outcome.warnings = buffer.events.compactMap(PortmapEventText.stderrLine(for:)).count
        return outcome
    }

    static let rpcWeirds: Set<String> = [
        "unpaired_RPC_response", "responder_RPC_call", "originator_RPC_reply", "RPC_rexmit_inconsistency",
    ]

    /// Golden UDP lines of the kinds this layer produces.
    func goldenUDPLines(_ corpus: String) throws -> [String] {
        let url = Self.corpora.appendingPathComponent(corpus).appendingPathComponent("golden/nochecksum/events.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 5, fields[2].hasSuffix("/udp") else { return false }
            let kind = fields[1]
            if kind == "rpc_call" || kind.hasPrefix("pm_") { return true }
            if kind == "conn_weird", let name = line.range(of: "name=").map({ String(line[$0.upperBound...]) }) {
                return name.hasPrefix("bad_RPC: ") || Self.rpcWeirds.contains(name)
            }
            return false
        }
    }

    func assertContained(_ produced: [String], in golden: [String], file: StaticString = #filePath, line: UInt = #line) {
        var remaining: [String: Int] = [:]
        for g in golden { remaining[g, default: 0] += 1 }
        for p in produced {
            if let n = remaining[p], n > 0 {
                remaining[p] = n - 1
            } else {
                XCTFail("not in golden: \(p)", file: file, line: line)
            }
        }
    }

    /// The two traces the task names, compared exactly.
    func testRpcbindV2UDPErrors() throws {
        let outcome = try replayUDP("rpcbind-v2-udp-errors")
        let golden = try goldenUDPLines("rpcbind-v2-udp-errors")
        XCTAssertGreaterThan(golden.count, 20)
        assertContained(outcome.lines, in: golden)
        XCTAssertEqual(outcome.lines.sorted(), golden.sorted(), "every golden UDP RPC line is reproduced")
    }

    func testRpcbindBadPorts() throws {
        let outcome = try replayUDP("rpcbind-bad-ports")
        let golden = try goldenUDPLines("rpcbind-bad-ports")
        XCTAssertEqual(golden.count, 8)
        assertContained(outcome.lines, in: golden)
        XCTAssertEqual(outcome.lines.sorted(), golden.sorted())
        // stderr.txt holds one `bad port number` warning.
        XCTAssertEqual(outcome.warnings, 1)
    }

    /// Every other plain-pcap corpus: its UDP RPC lines match as a multiset too
    /// (synth-nasty alone has 360 of them, and 36 UDP bad-port warnings).
    func testAllPlainPcapCorporaUDP() throws {
        let expectations: [(String, Int, Int)] = [
            ("rpcbind-v2-udp-dialogues", 21, 0), ("rpcbind-v34-rpcbind", 4, 0), ("rpcbind-rpcinfo-client", 24, 0),
            ("zeek-rpc-portmap-sadmind", 20, 0), ("synth-nasty", 360, 36), ("zeek-nfs-write", 4, 0),
            ("zeek-mount-base", 0, 0),
        ]
        for (corpus, count, warnings) in expectations {
            let outcome = try replayUDP(corpus)
            let golden = try goldenUDPLines(corpus)
            XCTAssertEqual(golden.count, count, corpus)
            assertContained(outcome.lines, in: golden)
            XCTAssertEqual(outcome.lines.sorted(), golden.sorted(), corpus)
            XCTAssertEqual(outcome.warnings, warnings, corpus)
        }
    }
}
