import HashOrder
import XCTest

final class H3HashTests: XCTestCase {
    let h3 = H3Hash.reference

    private func hash(_ bytes: [UInt8]) -> UInt32 { h3.hash(bytes) }
    private func hash(hex: String) -> UInt32 {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return hash(bytes)
    }

    func testTableVectors() {
        XCTAssertEqual(h3.tableEntry(position: 0, value: 0), 0)
        XCTAssertEqual(h3.tableEntry(position: 0, value: 1), 0xE8EF_8E1C)
        XCTAssertEqual(h3.tableEntry(position: 0, value: 2), 0x37B1_BCA3)
        XCTAssertEqual(h3.tableEntry(position: 31, value: 128), 0x70BE_01A3)
        // Linearity: T[j][a ^ b] == T[j][a] ^ T[j][b].
        XCTAssertEqual(h3.tableEntry(position: 0, value: 3), 0xE8EF_8E1C ^ 0x37B1_BCA3)
        XCTAssertEqual(h3.tableEntry(position: 7, value: 0xA5),
                       h3.tableEntry(position: 7, value: 0xA0) ^ h3.tableEntry(position: 7, value: 0x05))
    }

    func testTablesFollowTheFirst512RandomOutputs() {
        var random = GlibcRandom()
        var words: [UInt32] = []
        for _ in 0..<256 {
            let high = random.next() & 0xFFFF
            words.append(high << 16 | random.next() & 0xFFFF)
        }
        for j in [0, 5, 31] {
            for bit in 0..<8 {
                XCTAssertEqual(h3.tableEntry(position: j, value: 1 << bit), words[8 * j + bit], "T[\(j)][\(1 << bit)]")
            }
        }
    }

    func testKeyVectors() {
        XCTAssertEqual(h3.hash("pm_null"), 0x46E6_829F)
        XCTAssertEqual(hash(hex: "7f0000017f000001006f029c"), 0x4F47_D73B)
        XCTAssertEqual(hash([]), 0)
        XCTAssertEqual(hash([1]), 0xE8EF_8E1C)
    }

    func testServiceNameBuckets() {
        let buckets = ["pm_callit", "pm_dump", "pm_null", "pm_set", "pm_getport", "pm_unset"].map { h3.hash($0) % 17 }
        XCTAssertEqual(buckets, [2, 4, 11, 11, 12, 16])
    }

    func testDumpIndexBuckets() {
        let buckets = (1...16).map { h3.hash(UInt32($0)) % 17 }
        XCTAssertEqual(buckets, [12, 5, 14, 1, 8, 2, 8, 11, 15, 3, 7, 4, 13, 13, 3, 0])
        XCTAssertEqual(h3.hash(UInt32(5)), hash([5, 0, 0, 0]), "little-endian bytes")
    }

    func testTablesDependOnTheSeed() {
        let other = H3Hash(seed: 1)
        XCTAssertNotEqual(other.hash("pm_null"), h3.hash("pm_null"))
        XCTAssertEqual(H3Hash(seed: GlibcRandom.referenceSeed).hash("pm_null"), 0x46E6_829F)
    }

    func testLongKeysAreDeterministicAndUseEveryByte() {
        let long = [UInt8](repeating: 7, count: 40)
        var changed = long
        changed[39] = 8
        XCTAssertEqual(hash(long), hash(long))
        XCTAssertNotEqual(hash(long), hash(changed))
        // Exactly 32 bytes is still plain H3.
        let key32 = (0..<32).map { UInt8($0) }
        let expected = (0..<32).reduce(UInt32(0)) { $0 ^ h3.tableEntry(position: $1, value: UInt8($1)) }
        XCTAssertEqual(hash(key32), expected)
    }
}
