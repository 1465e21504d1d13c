import PacketDecoding
import XCTest

/// The hand-written address formatting and the cheap table hashes.
final class AddressTextAndHashTests: XCTestCase {
    private func reference(_ a: IPv4Address) -> String {
        [a.value >> 24, (a.value >> 16) & 0xff, (a.value >> 8) & 0xff, a.value & 0xff]
            .map { String($0) }.joined(separator: ".")
    }

    func testDescriptionIsTheDottedQuadForEveryOctetValueInEveryPosition() {
        for octet in UInt32(0) ... 255 {
            for shift in [24, 16, 8, 0] as [UInt32] {
                let other: UInt32 = 0x0A00_0009 & ~(0xff << shift)
                let address = IPv4Address(other | octet << shift)
                XCTAssertEqual(address.description, reference(address))
            }
        }
        XCTAssertEqual(IPv4Address(0).description, "0.0.0.0")
        XCTAssertEqual(IPv4Address(.max).description, "255.255.255.255")
        XCTAssertEqual(IPv4Address(192, 168, 100, 7).description, "192.168.100.7")
        XCTAssertEqual("\(IPv4Address(10, 0, 0, 1))", "10.0.0.1")
    }

    func testDescriptionMatchesOnPseudoRandomAddresses() {
        var x: UInt32 = 0x1234_5678
        for _ in 0 ..< 50_000 {
            x = x &* 1_664_525 &+ 1_013_904_223
            let address = IPv4Address(x)
            XCTAssertEqual(address.description, reference(address))
        }
    }

    /// Sets and dictionaries still find what they hold (the raw hash agrees with `==`),
    /// and the hash spreads addresses that differ in one octet over the low bits.
    func testTablesKeyedByAddressFlowKeyAndConnectionIDWork() {
        var addresses = Set<IPv4Address>()
        var flows: [FlowKey: Int] = [:]
        var connections: [ConnectionID: Int] = [:]
        for i in 0 ..< 5_000 {
            let a = IPv4Address(10, 0, UInt8(i >> 8), UInt8(i & 0xff))
            let b = IPv4Address(192, 168, 1, UInt8(i % 7))
            addresses.insert(a)
            flows[FlowKey(source: a, sourcePort: UInt16(i), destination: b, destinationPort: 111, transport: .udp)] = i
            connections[ConnectionID(originator: a, originatorPort: UInt16(i), responder: b, responderPort: 111,
                                     proto: .tcp)] = i
        }
        XCTAssertEqual(addresses.count, 5_000)
        XCTAssertEqual(flows.count, 5_000)
        XCTAssertEqual(connections.count, 5_000)
        for i in stride(from: 0, to: 5_000, by: 13) {
            let a = IPv4Address(10, 0, UInt8(i >> 8), UInt8(i & 0xff))
            let b = IPv4Address(192, 168, 1, UInt8(i % 7))
            XCTAssertTrue(addresses.contains(a))
            // The reverse direction is the same flow key.
            XCTAssertEqual(flows[FlowKey(source: b, sourcePort: 111, destination: a, destinationPort: UInt16(i),
                                         transport: .udp)], i)
            XCTAssertNil(flows[FlowKey(source: b, sourcePort: 111, destination: a, destinationPort: UInt16(i),
                                       transport: .tcp)])
            XCTAssertEqual(connections[ConnectionID(originator: a, originatorPort: UInt16(i), responder: b,
                                                    responderPort: 111, proto: .tcp)], i)
            XCTAssertNil(connections[ConnectionID(originator: b, originatorPort: 111, responder: a,
                                                  responderPort: UInt16(i), proto: .tcp)])
        }
        var lowBits = Set<Int>()
        for last in 0 ..< 256 { lowBits.insert(IPv4Address(10, 0, 0, UInt8(last))._rawHashValue(seed: 0) & 255) }
        XCTAssertGreaterThan(lowBits.count, 140, "256 neighbouring addresses should spread over the low 8 bits")
    }
}
