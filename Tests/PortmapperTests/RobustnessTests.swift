import PacketDecoding
import Portmapper
import SunRPC
import XCTest

/// Deterministic mutations of the fuzz seeds (Tests/FuzzSeeds) through both
/// paths, checking invariants that must hold for any input. (The libFuzzer
/// targets explore further; this keeps the same ground covered by `swift test`.)
final class RobustnessTests: XCTestCase {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static let seeds = GoldenTraceTests.corpora.deletingLastPathComponent().appendingPathComponent("Tests/FuzzSeeds")

    func seeds(_ name: String) throws -> [[UInt8]] {
        let dir = Self.seeds.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 5, "seeds of \(name)")
        return try files.map { [UInt8](try Data(contentsOf: dir.appendingPathComponent($0))) }
    }

    func mutations(of seed: [UInt8], count: Int, rng: inout SplitMix) -> [[UInt8]] {
        var out = [seed]
        for _ in 0..<count {
            var m = seed
            switch rng.below(5) {
            case 0 where !m.isEmpty: m[rng.below(m.count)] ^= UInt8(1 << rng.below(8))
            case 1: m = Array(m.prefix(rng.below(m.count + 1)))
            case 2 where m.count >= 4:
                let at = rng.below(m.count / 4) * 4
                let v = [UInt32(0), 1, 2, 5, 6, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 65536, 400, 401, 8193][rng.below(12)]
                m[at] = UInt8(v >> 24); m[at + 1] = UInt8((v >> 16) & 0xff); m[at + 2] = UInt8((v >> 8) & 0xff); m[at + 3] = UInt8(v & 0xff)
            case 3: m.insert(contentsOf: (0..<rng.below(9)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: rng.below(m.count + 1))
            default: m += m.prefix(rng.below(m.count + 1))
            }
            out.append(m)
        }
        return out
    }

    func assertListsInBounds(_ buffer: PortmapEventBuffer, file: StaticString = #filePath, line: UInt = #line) {
        for event in buffer.events {
            if case .program(.requestDump(let list)) = event.kind {
                XCTAssertGreaterThanOrEqual(list.firstWord, 0, file: file, line: line)
                XCTAssertLessThanOrEqual(list.firstWord + list.count * PortmapMappingList.wordsPerEntry,
                                         buffer.payloadWords.count, file: file, line: line)
            }
        }
    }

    func testUDPMessages() throws {
        var rng = SplitMix(state: 1)
        var binpacWeirds = 0
        for seed in try seeds("rpcudp") {
            var h = UDPHarness(configuration: RPCConfiguration(maximumPendingCalls: 3))
            for message in mutations(of: seed, count: 60, rng: &rng) {
                for orig in [true, false] {
                    let before = h.buffer.count
                    h.send(message, orig: orig, at: 1)
                    let added = h.buffer.events[before...]
                    XCTAssertTrue(added.allSatisfy { $0.connection == Conn.udp })
                    if added.contains(where: { if case .weird(.binpac) = $0.kind { return true } else { return false } }) {
                        binpacWeirds += 1
                        XCTAssertEqual(added.count, 1, "a parse failure is the datagram's only event")
                    }
                    XCTAssertLessThanOrEqual(h.analyzer.pendingCalls.count, 3)
                }
            }
            let pending = h.analyzer.pendingCalls.count
            let before = h.buffer.count
            h.remove(at: 2)
            XCTAssertLessThanOrEqual(h.buffer.count - before, pending)
            XCTAssertEqual(h.analyzer.pendingCalls.count, 0)
            assertListsInBounds(h.buffer)
            _ = h.lines
        }
        XCTAssertGreaterThan(binpacWeirds, 100, "mutations reach the error paths")
    }

    func testTCPStreams() throws {
        var rng = SplitMix(state: 2)
        var records = 0
        for seed in try seeds("rpctcpstream") {
            for input in mutations(of: seed, count: 40, rng: &rng) where !input.isEmpty {
                var h = TCPHarness(configuration: RPCConfiguration(maximumPendingCalls: 4))
                let cutCount = min(Int(input[0] & 0x0f), input.count - 1)
                let cuts = Array(input[1..<(1 + cutCount)])
                let stream = Array(input[(1 + cutCount)...])
                var position = 0
                var index = 0
                while position < stream.count {
                    var length = stream.count - position
                    var orig = true
                    if !cuts.isEmpty {
                        let cut = cuts[index % cuts.count]
                        index += 1
                        if cut == 0xff {
                            h.analyzer.contentGap(isOrig: true)
                            if index > 4 * stream.count { break }
                            continue
                        }
                        length = min(length, Int(cut & 0x7f) + 1)
                        orig = cut & 0x80 == 0
                    }
                    h.send(Array(stream[position..<(position + length)]), orig: orig, at: 1)
                    position += length
                }
                h.finish(at: 2)
                records += Int(h.analyzer.statistics.messages)
                XCTAssertLessThanOrEqual(h.analyzer.pendingCalls.count, 4)
                XCTAssertTrue(h.buffer.events.allSatisfy { $0.connection == Conn.tcp })
                assertListsInBounds(h.buffer)
                _ = h.lines
            }
        }
        XCTAssertGreaterThan(records, 200, "mutations still carry records")
    }

    func testPortmapReplyBodies() throws {
        var rng = SplitMix(state: 3)
        let stamp = RPCEventStamp(time: 1, connection: Conn.udp)
        let arguments: [PortmapCallArguments] = [
            .none,
            .mapping(PortmapMapping(program: 1, version: 1, port: PortmapPort(number: 1, isTCP: false))),
            .mapping(PortmapMapping(program: 1, version: 1, port: PortmapPort(number: 1, isTCP: true))),
            .portRequest(PortmapPortRequest(program: 1, version: 1, isTCP: true)),
            .none,
            .callit(PortmapCallitRequest(program: 1, version: 1, procedure: 1, argumentSize: 1)),
        ]
        var successes = 0
        for seed in try seeds("portmapreply") {
            for body in mutations(of: seed, count: 40, rng: &rng) {
                body.withUnsafeBytes { raw in
                    for procedure in 0..<6 {
                        var buffer = PortmapEventBuffer()
                        var udp = XDRCursor(raw)
                        do throws(BinpacException) {
                            try Portmap.parseUDPSuccessResults(procedure: UInt32(procedure), arguments: arguments[procedure],
                                                               cursor: &udp, stamp: stamp, events: &buffer)
                            // A parse that did not throw ends with its success event.
                            if case .program(let event) = buffer.events.last?.kind {
                                XCTAssertFalse(event == .badPortNumberWarning(0))
                            } else {
                                XCTFail("no success event")
                            }
                            successes += 1
                        } catch {
                            XCTAssertFalse(error.message.isEmpty)
                        }
                        XCTAssertLessThanOrEqual(udp.offset, raw.count)
                        var statistics = RPCStatistics()
                        var tcp = XDRCursor(raw)
                        _ = Portmap.decodeTCPReply(procedure: UInt32(procedure), arguments: arguments[procedure],
                                                   status: .success, cursor: &tcp, stamp: stamp, events: &buffer,
                                                   statistics: &statistics)
                        XCTAssertLessThanOrEqual(tcp.offset, raw.count)
                        assertListsInBounds(buffer)
                    }
                }
            }
        }
        XCTAssertGreaterThan(successes, 100)
    }
}
