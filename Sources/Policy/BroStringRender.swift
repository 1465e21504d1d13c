/// How the reference prints arbitrary bytes inside a `%s` (the rexmit_inconsistency
/// texts): printable ASCII as is, NUL as `\0`, 0x01–0x1a as `^A`…`^Z`, DEL as `^?`,
/// 0x1b–0x1f and bytes ≥ 0x80 as `\xhh` (lowercase). Matches every golden notice
/// (`^P`, `\x1b`, `\x1f`, `^?` all occur); a backslash byte never occurs there and is
/// written as `\\` (assumption).
enum BroStringRender {
    static func render(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        let hex = Array("0123456789abcdef".utf8)
        for byte in bytes {
            switch byte {
            case 0:
                out += [UInt8(ascii: "\\"), UInt8(ascii: "0")]
            case 1...26:
                out += [UInt8(ascii: "^"), byte + 64]
            case 127:
                out += [UInt8(ascii: "^"), UInt8(ascii: "?")]
            case UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 27..<32, 128...:
                out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
