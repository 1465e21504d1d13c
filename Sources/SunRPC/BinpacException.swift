/// A parse failure of the reference's generated (binpac) UDP parser.
///
/// The analyzer turns it into the weird `bad_RPC: binpac exception: <detail>`
/// (SEMANTICS-RPC §1.2). Field and type names are static strings so that
/// throwing one allocates nothing; the text is built only when printed.
@frozen
public enum BinpacException: Error, Sendable {
    /// `out_of_bound: <field>: <needed> > <available>`.
    case outOfBound(field: StaticString, needed: Int, available: Int)
    /// `invalid index for case: <type>: <value>` (value printed with `%d`).
    case invalidCase(type: StaticString, value: UInt32)

    /// The exception text, e.g. `binpac exception: out_of_bound: RPC_Message:msg_type: 8 > 4`.
    public var message: String {
        switch self {
        case let .outOfBound(field, needed, available):
            // binpac prints both numbers with %d.
            return "binpac exception: out_of_bound: \(field): \(Int32(truncatingIfNeeded: needed)) > \(Int32(truncatingIfNeeded: available))"
        case let .invalidCase(type, value):
            return "binpac exception: invalid index for case: \(type): \(Int32(bitPattern: value))"
        }
    }
}

extension BinpacException: Equatable {
    public static func == (lhs: BinpacException, rhs: BinpacException) -> Bool {
        switch (lhs, rhs) {
        case let (.outOfBound(f1, n1, a1), .outOfBound(f2, n2, a2)):
            return sameText(f1, f2) && n1 == n2 && a1 == a2
        case let (.invalidCase(t1, v1), .invalidCase(t2, v2)):
            return sameText(t1, t2) && v1 == v2
        default:
            return false
        }
    }

    private static func sameText(_ a: StaticString, _ b: StaticString) -> Bool {
        a.withUTF8Buffer { x in b.withUTF8Buffer { y in x.elementsEqual(y) } }
    }
}
