import CaptureIO
import XCTest

/// pcapng: sections of either byte order, several interfaces, EPB/SPB/PB, skipped blocks.
final class PcapngReaderTests: XCTestCase {
    private func payload(_ i: Int, _ n: Int) -> [UInt8] { TestPacket.numbered(i, size: n).data }

    func testLittleAndBigEndianSections() {
        for bigEndian in [false, true] {
            var f = PcapngBytes(bigEndian: bigEndian)
            f.section()
            f.interface(linkType: 1)
            f.enhancedPacket(units: 1_700_000_000_123_456, data: payload(0, 60), wireLength: 1514)
            f.enhancedPacket(units: 1_700_000_001_000_001, data: payload(1, 3), withOptions: false)
            let out = readAll(f.bytes)
            XCTAssertNil(out.error)
            XCTAssertEqual(out.format, .pcapng)
            XCTAssertEqual(out.byteOrder, bigEndian ? .bigEndian : .littleEndian)
            XCTAssertEqual(out.linkTypes, [.ethernet])
            XCTAssertEqual(out.packets.count, 2)
            XCTAssertEqual(out.packets[0].seconds, 1_700_000_000)
            XCTAssertEqual(out.packets[0].nanoseconds, 123_456_000)
            XCTAssertEqual(out.packets[0].wireLength, 1514)
            XCTAssertEqual(out.packets[0].bytes, payload(0, 60))
            XCTAssertEqual(out.packets[1].seconds, 1_700_000_001)
            XCTAssertEqual(out.packets[1].nanoseconds, 1_000)
            XCTAssertEqual(out.packets[1].bytes, payload(1, 3))
            XCTAssertEqual(out.packets.map(\.sequence), [0, 1])
            XCTAssertEqual(out.statistics.streamBytes, UInt64(f.bytes.count))
        }
    }

    func testTwoSectionsOfDifferentByteOrderEachWithItsOwnInterfaces() {
        var f = PcapngBytes(bigEndian: false)
        f.section()
        f.interface(linkType: 1)
        f.enhancedPacket(units: 5_000_000, data: payload(0, 20))
        let secondSection = UInt64(f.bytes.count)
        f.section(bigEndian: true)
        f.interface(linkType: 101, tsresol: 9)  // interface 0 again, now RAW with ns
        f.enhancedPacket(units: 7_000_000_001, data: payload(1, 30))
        f.simplePacket(data: payload(2, 12), wireLength: 12)
        let out = readAll(f.bytes)
        XCTAssertNil(out.error)
        XCTAssertEqual(out.byteOrder, .littleEndian, "byteOrder reports the first section")
        XCTAssertEqual(out.linkTypes, [.ethernet, .raw])
        XCTAssertEqual(out.packets.count, 3)
        XCTAssertEqual(out.packets[0].linkType, 1)
        XCTAssertEqual(out.packets[0].seconds, 5)
        XCTAssertEqual(out.packets[1].linkType, 101)
        XCTAssertEqual(out.packets[1].seconds, 7)
        XCTAssertEqual(out.packets[1].nanoseconds, 1)
        XCTAssertGreaterThan(out.packets[1].streamOffset, secondSection)
        XCTAssertEqual(out.packets[2].linkType, 101)
        XCTAssertEqual(out.packets[2].bytes, payload(2, 12))
    }

    func testInterfacesWithDifferentLinkTypesAndResolutions() {
        var f = PcapngBytes()
        f.section()
        f.interface(linkType: 1, tsresol: 9)            // 10^-9
        f.interface(linkType: 113, tsresol: 0x80 | 20)  // 2^-20
        f.interface(linkType: 228, tsresol: 3, tsoffset: -100)  // 10^-3, offset
        f.enhancedPacket(interface: 0, units: 1_700_000_000_987_654_321, data: payload(0, 10))
        // 12345 s + 3/4 s + 1 unit (2^-20 s = 953.674316... ns)
        f.enhancedPacket(interface: 1, units: (12345 << 20) | (3 << 18) | 1, data: payload(1, 11))
        f.enhancedPacket(interface: 2, units: 1_700_000_000_250, data: payload(2, 12))
        f.enhancedPacket(interface: 1, units: 1, data: payload(3, 13))
        let out = readAll(f.bytes)
        XCTAssertNil(out.error)
        XCTAssertEqual(out.linkTypes.map(\.rawValue), [1, 113, 228])
        XCTAssertEqual(out.packets.map(\.interfaceID), [0, 1, 2, 1])
        XCTAssertEqual(out.packets.map(\.linkType), [1, 113, 228, 113])
        XCTAssertEqual(out.packets[0].seconds, 1_700_000_000)
        XCTAssertEqual(out.packets[0].nanoseconds, 987_654_321)
        XCTAssertEqual(out.packets[1].seconds, 12345)
        // 0.75 s + 2^-20 s = 750_000_000 + 953.674316... ns, truncated.
        XCTAssertEqual(out.packets[1].nanoseconds, 750_000_953)
        XCTAssertEqual(out.packets[2].seconds, 1_700_000_000 - 100)
        XCTAssertEqual(out.packets[2].nanoseconds, 250_000_000)
        XCTAssertEqual(out.packets[3].seconds, 0)
        XCTAssertEqual(out.packets[3].nanoseconds, 953)
    }

    func testSimplePacketBlockCapturedLength() {
        var f = PcapngBytes()
        f.section()
        f.interface(linkType: 1, snaplen: 64)
        f.simplePacket(data: payload(0, 100), wireLength: 100)  // snaplen wins: 64
        f.simplePacket(data: payload(1, 40), wireLength: 37)     // original length wins: 37
        f.simplePacket(data: payload(2, 20), wireLength: 1500)   // block body wins: 20
        let out = readAll(f.bytes)
        XCTAssertNil(out.error)
        XCTAssertEqual(out.packets.map(\.bytes.count), [64, 37, 20])
        XCTAssertEqual(out.packets[0].bytes, Array(payload(0, 100)[..<64]))
        XCTAssertEqual(out.packets[1].bytes, Array(payload(1, 40)[..<37]))
        XCTAssertEqual(out.packets.map(\.wireLength), [100, 37, 1500])
        XCTAssertEqual(out.packets.map(\.interfaceID), [0, 0, 0])
        XCTAssertEqual(out.packets[0].seconds, 0)
    }

    func testObsoletePacketBlock() {
        for bigEndian in [false, true] {
            var f = PcapngBytes(bigEndian: bigEndian)
            f.section()
            f.interface(linkType: 1)
            f.interface(linkType: 101)
            f.obsoletePacket(interface: 1, units: 42_000_007, data: payload(0, 33), wireLength: 99)
            let out = readAll(f.bytes)
            XCTAssertNil(out.error)
            XCTAssertEqual(out.packets.count, 1)
            XCTAssertEqual(out.packets[0].interfaceID, 1)
            XCTAssertEqual(out.packets[0].linkType, 101)
            XCTAssertEqual(out.packets[0].seconds, 42)
            XCTAssertEqual(out.packets[0].nanoseconds, 7_000)
            XCTAssertEqual(out.packets[0].wireLength, 99)
            XCTAssertEqual(out.packets[0].bytes, payload(0, 33))
        }
    }

    func testOtherBlocksAreSkippedAndCounted() {
        var f = PcapngBytes()
        f.section()
        f.block(type: 4, body: [1, 0, 8, 0, 10, 0, 0, 1, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0])  // NRB
        f.interface(linkType: 1)
        f.enhancedPacket(units: 1, data: payload(0, 10))
        f.block(type: 5, body: [UInt8](repeating: 0, count: 12))        // ISB
        f.block(type: 0x0A, body: [UInt8](repeating: 7, count: 40))     // DSB
        f.block(type: 0x0BAD, body: [UInt8](repeating: 1, count: 8))    // custom
        f.block(type: 0x4000_0BAD, body: [])                             // custom, no body
        f.block(type: 0x7777_1234, body: [UInt8](repeating: 9, count: 5000))  // unknown
        f.enhancedPacket(units: 2, data: payload(1, 10))
        let out = readAll(f.bytes)
        XCTAssertNil(out.error)
        XCTAssertEqual(out.packets.count, 2)
        XCTAssertEqual(out.statistics.skippedBlocks, 6)
        XCTAssertEqual(out.packets[1].bytes, payload(1, 10))
    }

    func testInterfaceDescribedAfterPacketsAppearsInLinkTypes() {
        var f = PcapngBytes()
        f.section()
        f.interface(linkType: 1)
        f.enhancedPacket(units: 1, data: payload(0, 10))
        f.interface(linkType: 229)
        f.enhancedPacket(interface: 1, units: 2, data: payload(1, 10))
        let out = readAll(f.bytes)
        XCTAssertNil(out.error)
        XCTAssertEqual(out.linkTypes, [.ethernet, .ipv6])
        XCTAssertEqual(out.packets.map(\.linkType), [1, 229])
    }
}
