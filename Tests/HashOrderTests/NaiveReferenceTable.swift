import HashOrder

/// A deliberately plain transcription of SEMANTICS-CONN.md §2.8 (chains as
/// arrays, linear search, explicit cursor) used as the oracle for
/// `ReferenceDictionary`'s linked-list implementation.
struct NaiveReferenceTable {
    typealias Entry = (key: [UInt8], value: Int, hash: UInt32)
    var old: [[Entry]] = Array(repeating: [], count: 17)
    var new: [[Entry]]? = nil
    var cursor = 0
    var oldCount = 0
    var newCount = 0
    var threshold = 51

    private func locate(_ hash: UInt32) -> (inNew: Bool, bucket: Int) {
        let b = Int(hash % UInt32(old.count))
        if let new, b < cursor { return (true, Int(hash % UInt32(new.count))) }
        return (false, b)
    }

    mutating func insert(_ key: [UInt8], _ value: Int) -> Int? {
        let hash = H3Hash.reference.hash(key)
        let (inNew, bucket) = locate(hash)
        var previous: Int? = nil
        if inNew {
            if let i = new![bucket].firstIndex(where: { $0.key == key }) {
                previous = new![bucket][i].value
                new![bucket][i].value = value
            } else {
                new![bucket].append((key, value, hash))
                newCount += 1
            }
        } else {
            if let i = old[bucket].firstIndex(where: { $0.key == key }) {
                previous = old[bucket][i].value
                old[bucket][i].value = value
            } else {
                old[bucket].append((key, value, hash))
                oldCount += 1
            }
        }
        if new != nil {
            move()
        } else if oldCount >= threshold {
            var size = (old.count * 2 + 1) | 1
            if size <= 1000 {
                while (3...).prefix(while: { $0 * $0 <= size }).contains(where: { size % $0 == 0 }) { size += 2 }
            }
            new = Array(repeating: [], count: size)
            cursor = 0
            newCount = 0
        }
        return previous
    }

    private mutating func move() {
        var budget = 8
        repeat {
            let chain = old[cursor]
            old[cursor] = []
            cursor += 1
            for entry in chain {
                new![Int(entry.hash % UInt32(new!.count))].append(entry)
                oldCount -= 1
                newCount += 1
                budget -= 1
            }
        } while budget > 0 && cursor < old.count
        if cursor >= old.count {
            old = new!
            new = nil
            oldCount = newCount
            newCount = 0
            cursor = 0
            threshold = Int(3.0 * Double(old.count))
        }
    }

    mutating func remove(_ key: [UInt8]) -> Int? {
        let (inNew, bucket) = locate(H3Hash.reference.hash(key))
        if inNew {
            guard let i = new![bucket].firstIndex(where: { $0.key == key }) else { return nil }
            newCount -= 1
            return new![bucket].remove(at: i).value
        }
        guard let i = old[bucket].firstIndex(where: { $0.key == key }) else { return nil }
        oldCount -= 1
        return old[bucket].remove(at: i).value
    }

    func lookup(_ key: [UInt8]) -> Int? {
        let (inNew, bucket) = locate(H3Hash.reference.hash(key))
        return (inNew ? new![bucket] : old[bucket]).first(where: { $0.key == key })?.value
    }

    var order: [[UInt8]] { (old.joined().map(\.key)) + (new?.joined().map(\.key) ?? []) }
    var bucketCount: Int { old.count }
}
