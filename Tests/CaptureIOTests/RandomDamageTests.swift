import CaptureIO
import XCTest

/// Deterministic random damage (byte flips, truncations, overwritten lengths) on
/// valid pcap, pcapng and zstd inputs: reading never crashes or hangs, an error
/// always names the file and an offset inside the stream, and the packets
/// delivered before an error are exactly the undamaged file's first packets
/// whenever the damage lies after them.
final class RandomDamageTests: XCTestCase {
    /// xorshift64*: reproducible without Foundation's random sources.
    private struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    private func inputs() -> [(String, [UInt8])] {
        let packets = (0..<60).map { TestPacket.numbered($0, size: 1 + ($0 * 97) % 300) }
        var ng = PcapngBytes(bigEndian: true)
        ng.section()
        ng.interface(linkType: 1, tsresol: 9)
        ng.interface(linkType: 101, tsresol: 0x80 | 20)
        for (i, p) in packets.enumerated() {
            if i % 7 == 0 { ng.block(type: 5, body: [UInt8](repeating: 1, count: 20)) }
            if i % 11 == 5 { ng.simplePacket(data: p.data, wireLength: UInt32(p.data.count)) }
            else { ng.enhancedPacket(interface: UInt32(i % 2), units: UInt64(i) << 20, data: p.data) }
        }
        let pcap = PcapBytes.file(bigEndian: true, packets: packets)
        return [
            ("pcap", pcap), ("pcapng", ng.bytes),
            ("pcap.zst", ZstdBytes.compressFrames(pcap, chunkSize: 3000)),
            ("pcapng.zst", ZstdBytes.compress(ng.bytes, checksum: true)),
        ]
    }

    func testRandomDamageIsReportedNeverCrashes() {
        var rng = Rng(state: 0x9E37_79B9_7F4A_7C15)
        for (label, original) in inputs() {
            let clean = readAll(original)
            XCTAssertNil(clean.error, label)
            for round in 0..<150 {
                var bytes = original
                var position = rng.below(bytes.count)
                switch round % 3 {
                case 0: bytes[position] ^= UInt8(1 + rng.below(255))
                case 1: bytes = Array(bytes[..<position])
                default:  // a large little- or big-endian length at a random aligned spot
                    let at = position & ~3
                    position = at
                    if at + 4 <= bytes.count { bytes.replaceSubrange(at..<at + 4, with: [0x7F, 0xFF, 0xFF, UInt8(rng.below(256))]) }
                }
                for threads in [1, 2] {
                    var o = ReaderOptions()
                    o.windowSize = 4096
                    o.windowCount = 2
                    o.decompressionThreads = threads
                    let out = readAll(bytes, name: "\(label)#\(round)", options: o)
                    guard let error = out.error else { continue }
                    XCTAssertEqual(error.file, "\(label)#\(round)")
                    XCTAssertTrue(error.description.contains("offset \(error.offset)"))
                    XCTAssertLessThanOrEqual(out.packets.count, clean.packets.count + 1)
                    if !label.hasSuffix("zst") {
                        // Damage at or after the next packet's record leaves a packet
                        // (and everything between) intact.
                        let starts = clean.packets.map(\.streamOffset).dropFirst() + [UInt64(original.count)]
                        let intact = zip(clean.packets, starts).prefix { $0.1 <= UInt64(position) }.map(\.0)
                        XCTAssertEqual(Array(out.packets.prefix(intact.count)), Array(intact), "\(label) round \(round)")
                    }
                }
            }
        }
    }
}
