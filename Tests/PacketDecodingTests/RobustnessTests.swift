import CaptureIO
import XCTest
@testable import PacketDecoding

/// Mutated packets (bit flips, cuts, odd wire lengths, fragment fields) never trap,
/// every packet gets exactly one outcome, and held fragment memory stays within caps.
final class RobustnessTests: XCTestCase {
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return FlowKey.mix(state)
        }
    }

    func testMutatedPacketsNeverTrap() {
        var rng = SplitMix(state: 7)
        var udp = IPv4Builder()
        udp.payload = udpSegment(payload: Array(repeating: 1, count: 40))
        var tcp = IPv4Builder()
        tcp.protocolNumber = 6
        tcp.options = [1, 1, 1, 1]
        tcp.payload = tcpSegment(options: [2, 4, 5, 0xb4, 3, 3, 7, 0], payload: Array(repeating: 2, count: 30))
        let templates = [udp.bytes(), tcp.bytes()]
        let limits = FragmentLimits(maxReassemblies: 32, maxHeldBytes: 64 << 10)
        for verify in [true, false] {
            let decoder = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: verify, fragmentLimits: limits))
            for _ in 0 ..< 20_000 {
                var ip = templates[Int.random(in: 0 ..< templates.count, using: &rng)]
                for _ in 0 ..< Int.random(in: 0 ... 4, using: &rng) {
                    ip[Int.random(in: 0 ..< ip.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng)
                }
                if Bool.random(using: &rng) {
                    // Make it a fragment of one of a few datagrams, with a small random offset.
                    ip[4] = 0; ip[5] = UInt8.random(in: 0 ... 3, using: &rng)
                    ip[6] = (Bool.random(using: &rng) ? 0x20 : 0) | (Int.random(in: 0 ..< 16, using: &rng) == 0 ? 0x40 : 0)
                    ip[7] = UInt8.random(in: 0 ... 6, using: &rng)
                }
                if Bool.random(using: &rng) {
                    // Fix the header checksum so the mutation reaches the later steps.
                    let hl = Swift.min(Int(ip[0] & 0x0f) * 4, ip.count)
                    ip[10] = 0; ip[11] = 0
                    let sum = ~ip[0 ..< hl].withUnsafeBytes { InternetChecksum.referenceSum($0) }
                    ip[10] = UInt8(sum >> 8); ip[11] = UInt8(sum & 0xff)
                }
                let cut = Int.random(in: 0 ..< 4, using: &rng) > 0 ? ip.count : Int.random(in: 0 ... ip.count, using: &rng)
                let frame = linkHeader(.ethernet) + ip.prefix(cut)
                let wire = frame.count + Int.random(in: -4 ... 40, using: &rng)
                _ = decoder.run(frame, wireLength: Swift.max(0, wire))
                XCTAssertLessThanOrEqual(decoder.reassembler.counters.heldBytes, limits.maxHeldBytes)
                XCTAssertLessThanOrEqual(decoder.reassembler.count, limits.maxReassemblies)
            }
            let c = decoder.counters
            let outcomes = c.datagrams + c.truncatedIP + c.nonIPv4 + c.badIPChecksum + c.unsupportedProtocol
                + c.fragmentsHeld + c.incompleteLaterFragments + c.truncatedHeader + c.internallyTruncatedHeader
            XCTAssertEqual(outcomes, c.packets)
            XCTAssertGreaterThan(c.datagrams, 0)
            XCTAssertGreaterThan(c.fragments, 0)
            XCTAssertGreaterThan(c.reassembledDatagrams, 0)
        }
    }

    /// Random overlapping fragments with conflicting contents: whenever a datagram is
    /// rebuilt, every byte is the one the *earliest* fragment covering it carried
    /// (held data wins), and overlaps raise one weird per overlapped held block at least.
    func testReassemblyKeepsTheFirstBytesSeen() {
        var rng = SplitMix(state: 99)
        var completed = 0
        for round in 0 ..< 300 {
            let decoder = PacketDecoder()
            let size = 8 * Int.random(in: 4 ... 40, using: &rng)
            var firstSeen = [UInt8?](repeating: nil, count: size)
            var sawEnd = false
            for step in 0 ..< 30 {
                let start = 8 * Int.random(in: 0 ..< size / 8, using: &rng)
                let end = Swift.min(size, start + 8 * Int.random(in: 1 ... 8, using: &rng))
                let isLast = end == size && Bool.random(using: &rng)
                let data = (start ..< end).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
                var ip = IPv4Builder()
                ip.identification = UInt16(round)
                ip.fragmentField = UInt16(start / 8) | (isLast ? 0 : 0x2000)
                if start == 0 && isLast { continue }  // that would not be a fragment
                ip.payload = data
                sawEnd = sawEnd || isLast
                var overlapsExpected = false
                for (i, byte) in zip(start ..< end, data) {
                    if firstSeen[i] == nil { firstSeen[i] = byte } else { overlapsExpected = true }
                }
                let outcome = decoder.run(ip: ip.bytes())
                let overlapWeirds = outcome.weirds.filter { $0.name == .fragmentOverlap || $0.name == .fragmentInconsistency }
                XCTAssertEqual(!overlapWeirds.isEmpty, overlapsExpected, "round \(round) step \(step)")
                if case .datagram(_, let len, _, let payload, true) = outcome.kind {
                    XCTAssertTrue(sawEnd)
                    guard len <= size else { return XCTFail("round \(round): length \(len) > \(size)") }
                    XCTAssertEqual(payload.map { Optional($0) }, Array(firstSeen[0 ..< len]), "round \(round)")
                    completed += 1
                    break
                }
            }
        }
        XCTAssertGreaterThan(completed, 50)
    }
}
