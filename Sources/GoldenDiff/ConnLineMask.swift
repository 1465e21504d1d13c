/// How a conn.log line is rewritten before comparison (GOLDEN.md, rule 2).
///
/// conn.log fields are single-space separated:
/// `start duration orig_h resp_h service orig_p resp_p proto orig_bytes resp_bytes state flags [addl...]`
/// where addl (everything after flags) may itself contain spaces.
enum ConnLineMask {
    static let origHost = 2, respHost = 3, service = 4, origPort = 5, respPort = 6
    static let proto = 7, state = 10, flags = 11
    /// Number of fixed fields before addl.
    static let fixedFieldCount = 12
    static let wildcard: [UInt8] = [UInt8(ascii: "*")]

    /// The comparison key of a conn.log line.
    ///
    /// - udp + SHR: endpoints and service become `*`, because the reference
    ///   writes undefined values there for reply-first UDP flows while the
    ///   project writes the true endpoints.
    /// - `connFieldsOnly`: additionally service becomes `*` and addl is dropped,
    ///   isolating the connection layer from portmapper text and notice tags.
    ///
    /// Lines with fewer than 12 fields are compared unchanged (they can only
    /// match an identical line).
    /// - Returns: the key and whether the udp/SHR masking applied.
    static func key(_ line: [UInt8], connFieldsOnly: Bool) -> (key: [UInt8], masked: Bool) {
        // Split only the fixed fields; the remainder (addl) stays one piece.
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(fixedFieldCount + 1)
        var start = line.startIndex
        while fields.count < fixedFieldCount, let space = line[start...].firstIndex(of: UInt8(ascii: " ")) {
            fields.append(line[start..<space])
            start = space + 1
        }
        guard fields.count == fixedFieldCount || (fields.count == fixedFieldCount - 1 && start < line.endIndex) else {
            return (line, false)
        }
        var addl: ArraySlice<UInt8>? = nil
        if fields.count == fixedFieldCount - 1 {
            fields.append(line[start...])  // flags is the last field, no addl
        } else {
            addl = line[start...]  // may be empty after a trailing space; kept as written
        }

        let masked = fields[proto].elementsEqual("udp".utf8) && fields[state].elementsEqual("SHR".utf8)
        if masked {
            for index in [origHost, respHost, service, origPort, respPort] {
                fields[index] = wildcard[...]
            }
        }
        if connFieldsOnly {
            fields[service] = wildcard[...]
            addl = nil
        }
        guard masked || connFieldsOnly else { return (line, false) }

        var key: [UInt8] = []
        key.reserveCapacity(line.count)
        for (index, field) in fields.enumerated() {
            if index > 0 { key.append(UInt8(ascii: " ")) }
            key.append(contentsOf: field)
        }
        if let addl {
            key.append(UInt8(ascii: " "))
            key.append(contentsOf: addl)
        }
        return (key, masked)
    }
}
