/// A growing set of 64-bit words: open addressing with Fibonacci hashing (one
/// multiply) instead of `Set`'s SipHash. For run-long "seen" tables whose keys pack
/// into a word (`did_pm_log`: client and server address), which take one insert
/// per notice-eligible request.
struct WordSet {
    /// 0 marks an empty slot; the word 0 itself is tracked by `containsZero`.
    private var slots: [UInt64]
    private var shift: UInt64
    private var occupied = 0
    private var containsZero = false

    init() {
        slots = [UInt64](repeating: 0, count: 64)
        shift = 64 - 6
    }

    var count: Int { occupied + (containsZero ? 1 : 0) }

    func contains(_ word: UInt64) -> Bool {
        if word == 0 { return containsZero }
        let mask = slots.count - 1
        var slot = Self.slot(word, shift)
        while true {
            let found = slots[slot]
            if found == word { return true }
            if found == 0 { return false }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `word`; true when it was not present.
    mutating func insert(_ word: UInt64) -> Bool {
        if word == 0 {
            if containsZero { return false }
            containsZero = true
            return true
        }
        // At most half full keeps probe runs short.
        if (occupied + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var slot = Self.slot(word, shift)
        while true {
            let found = slots[slot]
            if found == word { return false }
            if found == 0 {
                slots[slot] = word
                occupied += 1
                return true
            }
            slot = (slot + 1) & mask
        }
    }

    /// The top bits of word × 2^64/φ select the slot.
    private static func slot(_ word: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (word &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        shift -= 1
        let mask = slots.count - 1
        for word in old where word != 0 {
            var slot = Self.slot(word, shift)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = word
        }
    }
}

/// Seeded hashing of keys that pack into one word, for the policy's hashed tables:
/// the SplitMix64 finalizer (full avalanche) instead of SipHash over the fields.
/// Dictionary and Set use `_rawHashValue(seed:)`; `hash(into:)` stays consistent
/// for types that embed these keys.
enum WordHash {
    @inline(__always)
    static func hash(_ word: UInt64, seed: Int) -> Int {
        var z = word ^ (UInt64(UInt(bitPattern: seed)) &* 0x9E37_79B9_7F4A_7C15)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }
}
