import PacketDecoding
import XCTest
@testable import Policy

/// The engine's cheap stand-ins for hashed tables and String formatting must agree
/// with what they replace.
final class LookupTableTests: XCTestCase {
    func testPortNameTableAgreesWithThePortNamesDictionary() {
        let table = PortNameTable(PortNames.defaultTable)
        for proto in [TransportProtocol.tcp, .udp, .icmp] {
            for number in 0...UInt16(7000) {
                let port = PortValue(number, proto)
                XCTAssertEqual(table.name(port), PortNames.defaultTable[port], "\(port)")
            }
        }
        let empty = PortNameTable([:])
        XCTAssertNil(empty.name(PortValue(111, .udp)))
    }

    func testPortBitsHoldExactlyTheirPorts() {
        let ports: Set<PortValue> = [PortValue(0, .tcp), PortValue(65535, .udp), PortValue(8, .icmp)]
        let bits = PortBits(ports)
        for port in ports { XCTAssertTrue(bits.contains(port)) }
        XCTAssertFalse(bits.contains(PortValue(0, .udp)))
        XCTAssertFalse(bits.contains(PortValue(65535, .tcp)))
        XCTAssertFalse(bits.contains(PortValue(9, .icmp)))
    }

    func testLowercaseHexMatchesStringRadix() {
        let line = LineBuffer()
        for value: UInt64 in [1, 9, 10, 15, 16, 255, 256, 0xabcdef, 0x1_0000_0000, .max] {
            line.removeAll()
            PolicyEngine.appendLowercaseHex(value, to: line)
            XCTAssertEqual(line.string, String(value, radix: 16))
        }
    }

    func testTimeTextCacheKeepsTheSignOfZero() {
        let cache = TimeTextCache()
        let line = LineBuffer()
        for time in [0.0, -0.0, -0.0, 1.5, 1.5, 0.0] {
            line.removeAll()
            cache.append(time, to: line)
            let plain = LineBuffer()
            plain.appendFixed(time)
            XCTAssertEqual(line.string, plain.string)
        }
    }

    func testWordSetAgreesWithSetThroughGrowth() {
        var words = WordSet()
        var reference = Set<UInt64>()
        var generator = SystemRandomNumberGenerator()
        var samples: [UInt64] = [0, 1, .max, 0x0a00_0001_0a00_0002]
        for _ in 0..<3000 { samples.append(UInt64.random(in: 0...5000, using: &generator) << 32 | 7) }
        for word in samples {
            XCTAssertEqual(words.insert(word), reference.insert(word).inserted, "\(word)")
        }
        XCTAssertEqual(words.count, reference.count)
        for word in samples { XCTAssertTrue(words.contains(word)) }
        XCTAssertFalse(words.contains(2))
    }

    func testFirstServiceByProcedureCodeMatchesTheHashOrderModel() {
        let engine = PolicyEngine()
        let names = PortmapperProcedure.allCases.map(\.scriptName)
        var codes = Set<UInt64>()
        var lists: [[String]] = []
        for a in names { for b in names where b != a { for c in names where c != a && c != b { lists.append([a, b, c]) } } }
        lists.append(names)
        lists.append(Array(names.reversed()))
        for list in lists {
            // Twice: the second answer comes from the cache.
            XCTAssertEqual(engine.firstService(list), ScriptTableOrder.firstService(list), "\(list)")
            XCTAssertEqual(engine.firstService(list), ScriptTableOrder.firstService(list), "\(list)")
            codes.insert(PolicyEngine.procedureSequenceCode(list)!)
        }
        XCTAssertEqual(codes.count, lists.count, "distinct lists, distinct codes")
        XCTAssertNil(PolicyEngine.procedureSequenceCode(["pm_dump", "ftp-data"]))
        XCTAssertEqual(engine.firstService(["pm_dump", "ftp-data"]), ScriptTableOrder.firstService(["pm_dump", "ftp-data"]))
    }

    func testProgramNamesAgreeWithTheConfiguredTable() {
        var configuration = PolicyConfiguration()
        configuration.rpcPrograms[0] = "zero"
        let engine = PolicyEngine(configuration: configuration)
        for (number, name) in configuration.rpcPrograms { XCTAssertEqual(engine.programName(number), name) }
        XCTAssertEqual(engine.programName(391_020), "unknown-391020")
        XCTAssertEqual(engine.programName(.max), "unknown-4294967295")
    }

    /// PortValue, AddressPair and ServerPort hash one packed word: equal keys hash
    /// alike, distinct ones stay distinct in the tables.
    func testWordHashedKeysKeepTablesExact() {
        var ports = Set<PortValue>()
        var pairs = [AddressPair: Int]()
        var servers = Set<ServerPort>()
        for number in 0..<UInt16(2000) {
            for proto in [TransportProtocol.tcp, .udp] {
                ports.insert(PortValue(number, proto))
                servers.insert(ServerPort(server: IPv4Address(UInt32(number) * 7), port: PortValue(number, proto)))
            }
            pairs[AddressPair(IPv4Address(UInt32(number)), IPv4Address(1))] = Int(number)
        }
        XCTAssertEqual(ports.count, 4000)
        XCTAssertEqual(servers.count, 4000)
        XCTAssertEqual(pairs.count, 2000)
        XCTAssertTrue(ports.contains(PortValue(1999, .udp)))
        XCTAssertFalse(ports.contains(PortValue(1999, .icmp)))
        XCTAssertEqual(pairs[AddressPair(IPv4Address(42), IPv4Address(1))], 42)
        XCTAssertNil(pairs[AddressPair(IPv4Address(1), IPv4Address(42))])
        XCTAssertEqual(PortValue(111, .udp)._rawHashValue(seed: 5), PortValue(111, .udp)._rawHashValue(seed: 5))
    }
}
