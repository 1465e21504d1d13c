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

    /// Byte-wise substring test (the reference compares raw bytes; Swift's Character
    /// comparison would apply Unicode equivalence). The empty string is contained everywhere.
    static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack
        var needle = needle
        return haystack.withUTF8 { hay in
            needle.withUTF8 { pin in
                guard !pin.isEmpty else { return true }
                guard pin.count <= hay.count else { return false }
                let first = pin[0]
                var start = 0
                let lastStart = hay.count - pin.count
                while start <= lastStart {
                    if hay[start] == first {
                        var offset = 1
                        while offset < pin.count && hay[start + offset] == pin[offset] { offset += 1 }
                        if offset == pin.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }
}
