import SunRPC
import XCTest

final class XDRCursorTests: XCTestCase {
    func testReadsBigEndianAndStopsWithoutMovingAtTheEnd() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 9, 9]
        bytes.withUnsafeBytes { raw in
            var c = XDRCursor(raw)
            XCTAssertEqual(c.readUInt32(), 1)
            XCTAssertEqual(c.peekUInt32(), 0xdead_beef)
            XCTAssertEqual(c.readUInt32(), 0xdead_beef)
            XCTAssertEqual(c.remaining, 2)
            XCTAssertNil(c.readUInt32())
            XCTAssertEqual(c.offset, 8, "a failed read does not move")
            XCTAssertNil(c.peekUInt32())
            XCTAssertFalse(c.skip(3))
            XCTAssertFalse(c.skip(-1))
            XCTAssertTrue(c.skip(2))
            XCTAssertTrue(c.isAtEnd)
            XCTAssertNil(c.readUInt32())
        }
    }

    func testEmptyBufferAndClampedOffset() {
        let empty: [UInt8] = []
        empty.withUnsafeBytes { raw in
            var c = XDRCursor(raw, offset: 10)
            XCTAssertEqual(c.offset, 0)
            XCTAssertNil(c.readUInt32())
            XCTAssertFalse(c.unreadBytesContainNonZero)
            XCTAssertEqual(c.unreadBytes.count, 0)
        }
    }

    func testUnreadBytesContainNonZero() {
        [UInt8]([1, 0, 0, 0, 0]).withUnsafeBytes { raw in
            var c = XDRCursor(raw)
            XCTAssertTrue(c.unreadBytesContainNonZero)
            c.skip(1)
            XCTAssertFalse(c.unreadBytesContainNonZero)
        }
    }

    func testExtractOpaqueOutcomes() {
        func outcome(_ words: [UInt8], limit: Int = 400) -> (XDRCursor.OpaqueOutcome, Int) {
            words.withUnsafeBytes { raw in
                var c = XDRCursor(raw)
                let o = c.extractOpaque(maximumLength: limit)
                return (o, c.offset)
            }
        }
        XCTAssertEqual(outcome([0, 0, 0, 3, 1, 2, 3, 0, 9]).0, .complete(length: 3))
        XCTAssertEqual(outcome([0, 0, 0, 3, 1, 2, 3, 0, 9]).1, 8)
        XCTAssertEqual(outcome([0, 0, 0]).0, .failed)
        XCTAssertEqual(outcome([0, 0, 0, 5, 1, 2, 3, 4]).0, .failed, "longer than the bytes left")
        XCTAssertEqual(outcome([0x80, 0, 0, 0]).0, .failed, "negative as int")
        XCTAssertEqual(outcome([0, 0, 1, 0x91] + [UInt8](repeating: 0, count: 404)).0, .failed, "over the limit")
        XCTAssertEqual(outcome([0, 0, 0, 5, 1, 2, 3, 4, 5]).0, .paddingOverrun(length: 5))
        XCTAssertEqual(outcome([0, 0, 0, 5, 1, 2, 3, 4, 5]).1, 9, "padding treated as consumed")
        // The failed outcome leaves the length word consumed (reference bookkeeping).
        XCTAssertEqual(outcome([0, 0, 0, 5, 1, 2, 3, 4]).1, 4)
    }

    func testBinpacOpaqueRule() throws {
        func parse(_ bytes: [UInt8]) -> Result<(UInt32, Int), BinpacException> {
            bytes.withUnsafeBytes { raw in
                var c = XDRCursor(raw)
                do throws(BinpacException) {
                    let l = try c.binpacOpaque()
                    return .success((l, c.offset))
                } catch {
                    return .failure(error)
                }
            }
        }
        XCTAssertEqual(try parse([0, 0, 0, 2, 7, 7, 0, 0]).get().1, 8)
        // Declared 100, 8 bytes left: silently truncated (remainder 4-aligned).
        XCTAssertEqual(try parse([0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8]).get().0, 100)
        XCTAssertEqual(try parse([0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8]).get().1, 12)
        // Declared 100, 5 bytes left: 4 + 5 + 3 = 12 > 9.
        XCTAssertThrowsError(try parse([0, 0, 0, 100, 1, 2, 3, 4, 5]).get()) { error in
            XCTAssertEqual(error as? BinpacException, .outOfBound(field: "RPC_Opaque", needed: 12, available: 9))
        }
        XCTAssertThrowsError(try parse([0, 0, 0]).get()) { error in
            XCTAssertEqual(error as? BinpacException, .outOfBound(field: "RPC_Opaque:length", needed: 4, available: 3))
        }
        // L ≥ 2^31 reads as 0 data bytes.
        XCTAssertEqual(try parse([0xff, 0xff, 0xff, 0xff, 1]).get().1, 4)
    }

    func testBinpacExceptionText() {
        XCTAssertEqual(BinpacException.outOfBound(field: "RPC_Message:msg_type", needed: 8, available: 4).message,
                       "binpac exception: out_of_bound: RPC_Message:msg_type: 8 > 4")
        XCTAssertEqual(BinpacException.invalidCase(type: "RPC_Reply", value: 0x8000_0000).message,
                       "binpac exception: invalid index for case: RPC_Reply: -2147483648")
        XCTAssertEqual(RPCWeird.binpac(.invalidCase(type: "PortmapParams", value: 9)).name,
                       "bad_RPC: binpac exception: invalid index for case: PortmapParams: 9")
        XCTAssertNotEqual(BinpacException.outOfBound(field: "A", needed: 1, available: 0),
                          BinpacException.outOfBound(field: "B", needed: 1, available: 0))
    }
}
