#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PacketDecoding

/// The reference's annotation helpers on `c$addl` (conn.bro). Both de-duplicate by
/// **substring**: a text already contained anywhere in addl is not appended again, which
/// also hides a new text that merely happens to be a substring (SEMANTICS-RPC §7.18).
enum Annotation {
    /// `append_addl(c, s)`: set when empty, else append with a space unless `s` ⊂ addl.
    static func append(_ text: String, to addl: inout String) {
        append(text, to: &addl, separator: " ")
    }

    /// `append_addl_marker(c, s, marker)`: same with an explicit separator.
    static func append(_ text: String, to addl: inout String, separator: String) {
        if addl.isEmpty {
            addl = text
        } else if !containsBytes(addl, text) {
            addl += separator
            addl += text
        }
    }

    /// `append_addl_marker` with the joined text built in `buffer` and turned into one
    /// String (appending the separator and the text to `addl` costs two growths).
    static func append(_ text: String, to addl: inout String, separator: String, joiningIn buffer: LineBuffer) {
        if addl.isEmpty {
            addl = text
        } else if !containsBytes(addl, text) {
            buffer.removeAll()
            buffer.append(addl)
            buffer.append(separator)
            buffer.append(text)
            addl = buffer.string
        }
    }

    /// Byte-wise substring test (the reference compares raw bytes; Swift's Character
    /// comparison would apply Unicode equivalence). The empty string is contained everywhere.
    static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack
        var needle = needle
        return haystack.withUTF8 { (hay: UnsafeBufferPointer<UInt8>) -> Bool in
            needle.withUTF8 { (pin: UnsafeBufferPointer<UInt8>) -> Bool in find(pin, in: hay) }
        }
    }

    /// memchr to each candidate first byte, memcmp for the rest (memmem is a GNU
    /// extension the Glibc module does not export).
    private static func find(_ pin: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let pinStart = pin.baseAddress, !pin.isEmpty else { return true }
        guard pin.count <= hay.count, let hayStart = hay.baseAddress else { return false }
        let first = Int32(pinStart.pointee)
        let lastStart = hay.count - pin.count
        var offset = 0
        while offset <= lastStart {
            guard let hit = memchr(hayStart + offset, first, lastStart - offset + 1) else { return false }
            let position = UnsafeRawPointer(hit) - UnsafeRawPointer(hayStart)
            if memcmp(hayStart + position, pinStart, pin.count) == 0 { return true }
            offset = position + 1
        }
        return false
    }
}
