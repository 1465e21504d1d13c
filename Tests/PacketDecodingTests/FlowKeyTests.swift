import XCTest
@testable import PacketDecoding

/// §2.1 canonical key order and bytes, and the dispatch hash.
final class FlowKeyTests: XCTestCase {
    private let localhost = IPv4Address(127, 0, 0, 1)

    private func hex(_ key: FlowKey) -> String {
        key.keyBytes.map { String(format: "%02x", $0) }.joined()
    }

    func testSpecExampleKeyBytes() {
        // 127.0.0.1:668 ↔ 127.0.0.1:111 → 7f000001 7f000001 006f 029c
        let request = FlowKey(source: localhost, sourcePort: 668, destination: localhost, destinationPort: 111, transport: .tcp)
        let reply = FlowKey(source: localhost, sourcePort: 111, destination: localhost, destinationPort: 668, transport: .tcp)
        XCTAssertEqual(hex(request), "7f0000017f000001006f029c")
        XCTAssertEqual(request, reply)
        XCTAssertFalse(request.isSide1(localhost, 668))
        XCTAssertTrue(reply.isSide1(localhost, 111))
        XCTAssertEqual(request.side1Port, 111)
    }

    func testPortsCompareAsLittleEndianReadingsOfTheirWireBytes() {
        // 668 = 02 9c reads as 0x9c02; 111 = 00 6f reads as 0x6f00: 111 first, although
        // by value 111 < 668 too. 256 (01 00 → 0x0001) precedes 1 (00 01 → 0x0100).
        let k = FlowKey(source: localhost, sourcePort: 1, destination: localhost, destinationPort: 256, transport: .udp)
        XCTAssertEqual(k.side1Port, 256)
        XCTAssertEqual(hex(k), "7f0000017f00000101000001")
    }

    func testAddressesCompareByTheirLastOctetFirst() {
        let a = IPv4Address(10, 0, 0, 2), b = IPv4Address(11, 0, 0, 1)
        let k = FlowKey(source: a, sourcePort: 5, destination: b, destinationPort: 5, transport: .udp)
        XCTAssertEqual(k.side1Address, b)
        XCTAssertEqual(hex(k), "0b0000010a00000200050005")
        // The address decides before the ports do.
        let k2 = FlowKey(source: a, sourcePort: 1, destination: b, destinationPort: 60000, transport: .udp)
        XCTAssertEqual(k2.side1Address, b)
    }

    func testIdenticalEndpointsCountAsSide1BeingTheSender() {
        let k = FlowKey(source: localhost, sourcePort: 9, destination: localhost, destinationPort: 9, transport: .tcp)
        XCTAssertTrue(k.isSide1(localhost, 9))
    }

    func testWithKeyBytesMatchesKeyBytes() {
        let k = FlowKey(source: IPv4Address(1, 2, 3, 4), sourcePort: 0x1234, destination: IPv4Address(5, 6, 7, 8),
                        destinationPort: 0xabcd, transport: .udp)
        k.withKeyBytes { XCTAssertEqual(Array($0), k.keyBytes) }
        XCTAssertEqual(k.keyBytes.count, 12)
    }

    func testDispatchHashIsDirectionIndependentAndSpreads() {
        var rng = SystemRandomNumberGenerator()
        var buckets = [Int](repeating: 0, count: 8)
        var seen = Set<UInt64>()
        for _ in 0 ..< 4000 {
            let a = IPv4Address(UInt32.random(in: 0 ... .max, using: &rng))
            let b = IPv4Address(UInt32.random(in: 0 ... .max, using: &rng))
            let pa = UInt16.random(in: 0 ... .max, using: &rng), pb = UInt16.random(in: 0 ... .max, using: &rng)
            let forward = FlowKey(source: a, sourcePort: pa, destination: b, destinationPort: pb, transport: .udp)
            let backward = FlowKey(source: b, sourcePort: pb, destination: a, destinationPort: pa, transport: .udp)
            XCTAssertEqual(forward.dispatchHash, backward.dispatchHash)
            XCTAssertEqual(forward, backward)
            seen.insert(forward.dispatchHash)
            buckets[Int(forward.dispatchHash % 8)] += 1
        }
        XCTAssertEqual(seen.count, 4000)
        // 500 expected per bucket; a broken mixer would pile into a few.
        XCTAssertTrue(buckets.allSatisfy { $0 > 380 && $0 < 620 }, "\(buckets)")
        // The transport is part of the dispatch hash (separate tables per protocol).
        let t = FlowKey(source: localhost, sourcePort: 1, destination: localhost, destinationPort: 2, transport: .tcp)
        let u = FlowKey(source: localhost, sourcePort: 1, destination: localhost, destinationPort: 2, transport: .udp)
        XCTAssertNotEqual(t.dispatchHash, u.dispatchHash)
    }

    func testKeyFromADatagram() {
        var ip = IPv4Builder()
        ip.source = IPv4Address(172, 16, 0, 7)
        ip.destination = IPv4Address(172, 16, 0, 9)
        ip.payload = udpSegment(sourcePort: 111, destinationPort: 40000, source: ip.source, destination: ip.destination)
        withPacket(linkHeader(.ethernet) + ip.bytes()) { packet in
            guard case .datagram(let d) = PacketDecoder().decode(packet), let key = FlowKey(d) else { return XCTFail() }
            XCTAssertEqual(key, FlowKey(source: ip.destination, sourcePort: 40000, destination: ip.source,
                                        destinationPort: 111, transport: .udp))
        }
    }
}
