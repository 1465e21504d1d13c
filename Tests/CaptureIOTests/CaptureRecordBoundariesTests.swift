import CaptureIO
import XCTest

/// The record-boundary scanner behind `corpus pack`: incremental, never trusting a length.
final class CaptureRecordBoundariesTests: XCTestCase {
    private func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    private func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }

    private func scan(_ bytes: [UInt8], _ scanner: inout CaptureRecordBoundaries, at start: Int = 0) throws -> (end: Int, isPacket: Bool)? {
        try bytes.withUnsafeBytes { raw throws(CaptureError) in
            try scanner.recordEnd(in: raw, at: start, streamOffset: UInt64(start))
        }
    }

    func testPcapHeaderThenRecordsAndWaitingForMoreBytes() throws {
        var scanner = CaptureRecordBoundaries(file: "t")
        let header = be32(0xA1B2_C3D4) + [UInt8](repeating: 0, count: 20)
        let record = be32(1) + be32(2) + be32(5) + be32(60) + [1, 2, 3, 4, 5]
        var bytes = header + record
        XCTAssertNil(try scan(Array(bytes.prefix(10)), &scanner), "file header incomplete")
        XCTAssertEqual(try scan(bytes, &scanner)?.end, 24)
        XCTAssertEqual(scanner.format, .pcap)
        XCTAssertEqual(scanner.byteOrder, .bigEndian)
        XCTAssertNil(try scan(Array(bytes.dropLast()), &scanner, at: 24), "record incomplete")
        let found = try scan(bytes, &scanner, at: 24)
        XCTAssertEqual(found?.end, bytes.count)
        XCTAssertEqual(found?.isPacket, true)
        // A length that would make the caller buffer without bound is an error, not a wait.
        bytes += be32(0) + be32(0) + be32(0xFFFF_0000) + be32(0)
        XCTAssertThrowsError(try scan(bytes, &scanner, at: 24 + record.count)) { error in
            XCTAssertEqual((error as? CaptureError)?.offset, UInt64(24 + record.count))
        }
    }

    func testPcapngSectionsSetTheByteOrderAndBadLengthsThrow() throws {
        var scanner = CaptureRecordBoundaries(file: "t")
        let shb = le32(0x0A0D_0D0A) + le32(28) + le32(0x1A2B_3C4D) + [1, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8) + le32(28)
        let idb = le32(1) + le32(20) + [1, 0, 0, 0] + le32(0) + le32(20)
        let bigSHB = be32(0x0A0D_0D0A) + be32(28) + be32(0x1A2B_3C4D) + [0, 1, 0, 0] + [UInt8](repeating: 0xFF, count: 8) + be32(28)
        let bigEPB = be32(6) + be32(32) + [UInt8](repeating: 0, count: 20) + be32(32)
        let bytes = shb + idb + bigSHB + bigEPB
        var position = 0
        var packets: [Bool] = []
        while position < bytes.count, let found = try scan(bytes, &scanner, at: position) {
            packets.append(found.isPacket)
            position = found.end
        }
        XCTAssertEqual(position, bytes.count)
        XCTAssertEqual(packets, [false, false, false, true])
        XCTAssertEqual(scanner.byteOrder, .bigEndian)

        let misaligned = be32(6) + be32(33) + [UInt8](repeating: 0, count: 25)
        XCTAssertThrowsError(try scan(bytes + misaligned, &scanner, at: bytes.count))
        let tooShort = be32(6) + be32(8) + [UInt8](repeating: 0, count: 4)
        XCTAssertThrowsError(try scan(bytes + tooShort, &scanner, at: bytes.count))
    }

    func testUnknownMagicIsRejected() {
        var scanner = CaptureRecordBoundaries(file: "junk")
        XCTAssertThrowsError(try scan(Array("GIF89a........................".utf8), &scanner)) { error in
            guard case .unknownMagic = (error as? CaptureError)?.problem else { return XCTFail("\(error)") }
        }
    }
}
