import XCTest
@testable import Policy

final class BroStringRenderTests: XCTestCase {
    /// Inverse of `BroStringRender.render` (test helper).
    static func unrender(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let next = bytes[i + 1]
                if next == UInt8(ascii: "0") { out.append(0); i += 2; continue }
                if next == UInt8(ascii: "\\") { out.append(next); i += 2; continue }
                if next == UInt8(ascii: "x"), i + 3 < bytes.count,
                   let value = UInt8(String(decoding: bytes[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                    out.append(value); i += 4; continue
                }
            }
            if b == UInt8(ascii: "^"), i + 1 < bytes.count {
                let next = bytes[i + 1]
                out.append(next == UInt8(ascii: "?") ? 127 : next - 64)
                i += 2
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    func testControlBytesUseCaretAndHighBytesHex() {
        let bytes: [UInt8] = [0x80, 0, 0, 0x28, 0xf1, 0x7f, 0xd3, 0x74, 0x02, 0x01, 0x10, 0x1a, 0x1b, 0x1f]
        XCTAssertEqual(BroStringRender.render(bytes), "\\x80\\0\\0(\\xf1^?\\xd3t^B^A^P^Z\\x1b\\x1f")
    }

    /// Every byte survives except `^`, which the reference prints bare (ambiguous).
    func testRoundTripOfEveryByte() {
        let all = (0...255).map { UInt8($0) }.filter { $0 != UInt8(ascii: "^") }
        XCTAssertEqual(Self.unrender(BroStringRender.render(all)), all)
    }
}
