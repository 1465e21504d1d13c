/// A fixed table from nonzero 64-bit keys to values, built once from a configuration
/// table: open addressing with Fibonacci hashing (one multiply), for lookups made on
/// every event (`port_names`, `rpc_programs`) where SipHash showed up in profiles.
struct WordMap<Value> {
    /// 0 marks an empty slot.
    private var keys: [UInt64]
    private var values: [Value?]
    private let shift: UInt64

    /// - Precondition: every key is nonzero and distinct.
    init(_ entries: some Collection<(key: UInt64, value: Value)>) {
        var bits: UInt64 = 4
        while (1 << bits) < entries.count * 4 { bits += 1 }
        let capacity = 1 << Int(bits)
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Value?](repeating: nil, count: capacity)
        shift = 64 - bits
        for (key, value) in entries {
            precondition(key != 0, "WordMap keys are nonzero")
            var slot = Self.slot(key, shift)
            while keys[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            values[slot] = value
        }
    }

    private static func slot(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    subscript(key: UInt64) -> Value? {
        let mask = keys.count - 1
        var slot = Self.slot(key, shift)
        while true {
            let found = keys[slot]
            if found == key { return values[slot] }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }
}
