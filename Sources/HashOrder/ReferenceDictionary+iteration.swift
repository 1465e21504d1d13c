/// Iteration in the reference's order: old table bucket by bucket, each chain
/// front to back, then the table being grown into while a resize is in progress.
extension ReferenceDictionary: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let dictionary: ReferenceDictionary
        @usableFromInline var inResizeTable = false
        @usableFromInline var bucket = 0
        @usableFromInline var slot: Int32 = -1

        @inlinable
        init(_ dictionary: ReferenceDictionary) {
            self.dictionary = dictionary
        }

        @inlinable
        public mutating func next() -> (key: Key, value: Value)? {
            while slot < 0 {
                let chains = inResizeTable ? dictionary.resizeTable : dictionary.table
                if bucket < chains.count {
                    slot = chains[bucket].head
                    bucket += 1
                } else if !inResizeTable && dictionary.isResizing {
                    inResizeTable = true
                    bucket = 0
                } else {
                    return nil
                }
            }
            let entry = dictionary.slots[Int(slot)].unsafelyUnwrapped
            slot = entry.next
            return (entry.key, entry.value)
        }
    }

    /// Iterates a snapshot: mutating the dictionary afterwards does not affect it.
    @inlinable
    public func makeIterator() -> Iterator {
        Iterator(self)
    }

    public var underestimatedCount: Int { count }

    /// Keys in iteration order.
    public var keys: [Key] { map(\.key) }

    /// The first entry in iteration order (e.g. the service name the reference
    /// prints for a connection's service set).
    public var first: (key: Key, value: Value)? {
        var iterator = makeIterator()
        return iterator.next()
    }

    /// Where `key` would sit now: which table and bucket (for tests and diagnostics).
    public func bucket(of key: Key) -> (inResizeTable: Bool, bucket: Int) {
        let location = location(ofHash: hash(of: key))
        return (location.inResizeTable, location.bucket)
    }
}
