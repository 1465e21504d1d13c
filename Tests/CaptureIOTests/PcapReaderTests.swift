import CaptureIO
import XCTest

/// Classic pcap: both timestamp magics in both byte orders.
final class PcapReaderTests: XCTestCase {
    func testMicroAndNanoMagicsInBothByteOrders() {
        let packets = (0..<5).map { TestPacket.numbered($0, size: 40 + $0 * 13) }
        for nanosecond in [false, true] {
            for bigEndian in [false, true] {
                let bytes = PcapBytes.file(nanosecond: nanosecond, bigEndian: bigEndian, linkType: 101, packets: packets)
                let out = readAll(bytes)
                let label = "ns=\(nanosecond) be=\(bigEndian)"
                XCTAssertNil(out.error, label)
                XCTAssertEqual(out.format, .pcap, label)
                XCTAssertEqual(out.byteOrder, bigEndian ? .bigEndian : .littleEndian, label)
                XCTAssertEqual(out.compression, CaptureCompression.none, label)
                XCTAssertEqual(out.linkTypes, [.raw], label)
                XCTAssertEqual(out.packets.count, packets.count, label)
                var offset: UInt64 = 24
                for (i, (got, want)) in zip(out.packets, packets).enumerated() {
                    XCTAssertEqual(got.sequence, UInt64(i), label)
                    XCTAssertEqual(got.seconds, Int64(want.seconds), label)
                    XCTAssertEqual(got.nanoseconds, nanosecond ? want.fraction : want.fraction * 1000, label)
                    XCTAssertEqual(got.bytes, want.data, label)
                    XCTAssertEqual(got.wireLength, want.wireLength, label)
                    XCTAssertEqual(got.linkType, 101, label)
                    XCTAssertEqual(got.streamOffset, offset, label)
                    offset += 16 + UInt64(want.data.count)
                }
                XCTAssertEqual(out.statistics.packets, UInt64(packets.count), label)
                XCTAssertEqual(out.statistics.streamBytes, UInt64(bytes.count), label)
                XCTAssertEqual(out.statistics.dataBytes, UInt64(packets.reduce(0) { $0 + $1.data.count }), label)
            }
        }
    }

    func testFormatIsChosenByMagicNotName() {
        let pcap = PcapBytes.file(packets: [TestPacket.numbered(0, size: 20)])
        let out = readAll(pcap, name: "looks-like.pcapng.zst")
        XCTAssertNil(out.error)
        XCTAssertEqual(out.format, .pcap)
        XCTAssertEqual(out.compression, CaptureCompression.none)
        XCTAssertEqual(out.packets.count, 1)

        let garbage: [UInt8] = Array("hello world, not a capture".utf8)
        let bad = readAll(garbage, name: "x.pcap")
        assertError(bad.error, file: "x.pcap", offset: 0) { if case .unknownMagic = $0 { true } else { false } }
    }

    func testRecordsLongerThanSnaplenAreCutLikeLibpcap() {
        let packets = [20, 100, 64, 65, 30].enumerated().map { TestPacket.numbered($0.offset, size: $0.element) }
        let bytes = PcapBytes.file(snaplen: 64, packets: packets)
        for (label, input) in [("plain", bytes), ("zstd", ZstdBytes.compress(bytes))] {
            let out = readAll(input)
            XCTAssertNil(out.error, label)
            XCTAssertEqual(out.packets.map(\.bytes.count), [20, 64, 64, 64, 30], label)
            XCTAssertEqual(out.packets[1].bytes, Array(packets[1].data[..<64]), label)
            XCTAssertEqual(out.packets[1].wireLength, packets[1].wireLength, label)
            XCTAssertEqual(out.packets[4].bytes, packets[4].data, label)
            XCTAssertEqual(out.statistics.snaplenTruncations, 2, label)
        }
    }

    func testEmptyPcapHasNoPackets() {
        let out = readAll(PcapBytes.file(packets: []))
        XCTAssertNil(out.error)
        assertSamePackets(out.packets, [])
    }
}
