/// An ordered model of the reference's hash table (Bro 1.5.3 `Dictionary`):
/// it stores keys and values like a dictionary and iterates them in exactly
/// the order the reference's table would, given the same operation sequence.
///
/// The reference flushes leftover connections, picks a connection's service
/// name and visits DUMP entries in its hash-table order (SEMANTICS-CONN.md
/// §2.7, §2.8, §4.4), so matching its logs needs this order, not just the
/// contents. The model (§2.8):
///
/// - 17 buckets at first; an insert appends the entry at the end of chain
///   `hash % buckets`; inserting an existing key replaces its value in place.
/// - When the entry count reaches `int(3.0 * buckets)`, a resize starts to
///   `nextPrime(2 * buckets + 1)`. From then on each insert (replacements
///   included) first places its entry (in the new table if its old bucket is
///   below the move cursor, else in the old one), then moves whole old chains
///   in bucket order, each moved entry appended to its new chain, until at
///   least 8 entries moved or the old table is exhausted (which ends the resize).
/// - A removal unlinks the entry and never moves chains.
/// - Iteration: old table buckets in order, each chain in list order, then the
///   new table the same way while a resize is in progress.
///
/// Chains are doubly linked lists through a slot array, so inserts, removals
/// and chain moves cost O(1) per entry; a separate `Key -> slot` index makes
/// lookups O(1) even when many keys share a bucket (crafted traffic cannot
/// turn a lookup into a chain walk). Iteration order never depends on that
/// index. It is a value type; copies are independent.
public struct ReferenceDictionary<Key: ReferenceHashKey, Value> {
    /// One stored entry and its links within its chain (`-1` = none).
    @usableFromInline
    struct Entry {
        @usableFromInline var key: Key
        @usableFromInline var value: Value
        @usableFromInline var hash: UInt32
        @usableFromInline var previous: Int32
        @usableFromInline var next: Int32

        @inlinable
        init(key: Key, value: Value, hash: UInt32, previous: Int32, next: Int32) {
            self.key = key
            self.value = value
            self.hash = hash
            self.previous = previous
            self.next = next
        }
    }

    /// First and last slot of a bucket's chain (`-1` = empty).
    @usableFromInline
    struct Chain {
        @usableFromInline var head: Int32 = -1
        @usableFromInline var tail: Int32 = -1
        @usableFromInline init() {}
    }

    /// Where a chain lives.
    @usableFromInline
    struct ChainLocation: Equatable {
        @usableFromInline var inResizeTable: Bool
        @usableFromInline var bucket: Int

        @inlinable
        init(inResizeTable: Bool, bucket: Int) {
            self.inResizeTable = inResizeTable
            self.bucket = bucket
        }
    }

    /// Buckets of a new table (the reference's default size 16, rounded to a prime).
    public static var initialBucketCount: Int { 17 }
    /// Mean chain length that triggers a resize.
    public static var densityThreshold: Double { 3.0 }
    /// A resize step moves whole chains until at least this many entries moved.
    public static var entriesMovedPerInsert: Int { 8 }

    @usableFromInline let hasher: H3Hash
    /// Entry storage; `nil` slots are free and listed in `freeSlots`.
    @usableFromInline var slots: [Entry?] = []
    @usableFromInline var freeSlots: [Int32] = []
    /// Lookup index only; never consulted for order.
    @usableFromInline var slotOfKey: [Key: Int32] = [:]

    /// The main table (the old one while resizing).
    @usableFromInline var table: [Chain]
    /// The table being grown into; empty unless a resize is in progress.
    @usableFromInline var resizeTable: [Chain] = []
    /// Old-table buckets below this index have been moved to `resizeTable`.
    @usableFromInline var moveCursor = 0
    @usableFromInline var tableEntryCount = 0
    @usableFromInline var resizeTableEntryCount = 0
    /// `int(densityThreshold * buckets)` of the main table.
    @usableFromInline var resizeThreshold: Int

    /// An empty table with the reference's initial size.
    /// - Parameter hasher: the hash tables (default: those of the golden runs).
    public init(hasher: H3Hash = .reference) {
        self.hasher = hasher
        table = [Chain](repeating: Chain(), count: Self.initialBucketCount)
        resizeThreshold = Self.threshold(forBuckets: Self.initialBucketCount)
    }

    @inlinable
    static func threshold(forBuckets buckets: Int) -> Int {
        Int(densityThreshold * Double(buckets))
    }

    /// Number of entries.
    @inlinable public var count: Int { slotOfKey.count }
    @inlinable public var isEmpty: Bool { slotOfKey.isEmpty }

    /// Buckets of the main (old, while resizing) table.
    public var bucketCount: Int { table.count }
    /// Buckets of the table being grown into, or `nil` when no resize is in progress.
    public var resizeBucketCount: Int? { isResizing ? resizeTable.count : nil }
    @inlinable public var isResizing: Bool { !resizeTable.isEmpty }

    /// The value for `key`, if present.
    @inlinable
    public subscript(key: Key) -> Value? {
        guard let slot = slotOfKey[key] else { return nil }
        return slots[Int(slot)].unsafelyUnwrapped.value
    }

    /// The reference hash of `key` (the H3 hash of its bytes).
    @inlinable
    public func hash(of key: Key) -> UInt32 {
        hasher.hash(key)
    }

    /// The chain an entry with `hash` belongs to right now.
    @inlinable
    func location(ofHash hash: UInt32) -> ChainLocation {
        let oldBucket = Int(hash % UInt32(table.count))
        if isResizing && oldBucket < moveCursor {
            return ChainLocation(inResizeTable: true, bucket: Int(hash % UInt32(resizeTable.count)))
        }
        return ChainLocation(inResizeTable: false, bucket: oldBucket)
    }

    /// Inserts `value` for `key`, or replaces the value of an existing key in place
    /// (its position in the order does not change).
    /// - Parameters:
    ///   - value: the value to store.
    ///   - key: the key.
    /// - Returns: the previous value, or `nil` if the key was new.
    @inlinable @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        var previous: Value? = nil
        if let slot = slotOfKey[key] {
            previous = slots[Int(slot)].unsafelyUnwrapped.value
            slots[Int(slot)]!.value = value
        } else {
            let hash = hasher.hash(key)
            let slot = allocateSlot(Entry(key: key, value: value, hash: hash, previous: -1, next: -1))
            slotOfKey[key] = slot
            let location = location(ofHash: hash)
            append(slot, to: location)
            if location.inResizeTable { resizeTableEntryCount += 1 } else { tableEntryCount += 1 }
        }
        // Every insert, replacement or not, advances the resize (as the reference does).
        if isResizing {
            moveChains()
        } else if tableEntryCount >= resizeThreshold {
            startResize()
        }
        return previous
    }

    /// Removes `key`; the other entries keep their order.
    /// - Parameter key: the key to remove.
    /// - Returns: its value, or `nil` if it was absent.
    @inlinable @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = slotOfKey.removeValue(forKey: key) else { return nil }
        let entry = slots[Int(slot)].unsafelyUnwrapped
        let location = location(ofHash: entry.hash)
        unlink(slot, from: location)
        if location.inResizeTable { resizeTableEntryCount -= 1 } else { tableEntryCount -= 1 }
        slots[Int(slot)] = nil
        freeSlots.append(slot)
        return entry.value
    }

    /// Removes every entry and returns to the initial size.
    public mutating func removeAll() {
        self = ReferenceDictionary(hasher: hasher)
    }

    // MARK: - Chains

    @inlinable
    mutating func allocateSlot(_ entry: Entry) -> Int32 {
        if let slot = freeSlots.popLast() {
            slots[Int(slot)] = entry
            return slot
        }
        precondition(slots.count < Int(Int32.max), "ReferenceDictionary: too many entries")
        slots.append(entry)
        return Int32(slots.count - 1)
    }

    @inlinable
    func chain(at location: ChainLocation) -> Chain {
        location.inResizeTable ? resizeTable[location.bucket] : table[location.bucket]
    }

    @inlinable
    mutating func setChain(_ chain: Chain, at location: ChainLocation) {
        if location.inResizeTable { resizeTable[location.bucket] = chain } else { table[location.bucket] = chain }
    }

    /// Appends `slot` at the end of the chain at `location`.
    @inlinable
    mutating func append(_ slot: Int32, to location: ChainLocation) {
        var chain = chain(at: location)
        slots[Int(slot)]!.previous = chain.tail
        slots[Int(slot)]!.next = -1
        if chain.tail >= 0 {
            slots[Int(chain.tail)]!.next = slot
        } else {
            chain.head = slot
        }
        chain.tail = slot
        setChain(chain, at: location)
    }

    /// Unlinks `slot` from the chain at `location`, keeping the others' order.
    @inlinable
    mutating func unlink(_ slot: Int32, from location: ChainLocation) {
        var chain = chain(at: location)
        let entry = slots[Int(slot)].unsafelyUnwrapped
        if entry.previous >= 0 { slots[Int(entry.previous)]!.next = entry.next } else { chain.head = entry.next }
        if entry.next >= 0 { slots[Int(entry.next)]!.previous = entry.previous } else { chain.tail = entry.previous }
        setChain(chain, at: location)
    }
}

extension ReferenceDictionary where Value == Void {
    /// Set-style insert (a reference `set` is a table without values).
    /// - Returns: true if `key` was new.
    @inlinable @discardableResult
    public mutating func insert(_ key: Key) -> Bool {
        updateValue((), forKey: key) == nil
    }

    /// Whether `key` is present.
    @inlinable
    public func contains(_ key: Key) -> Bool {
        slotOfKey[key] != nil
    }
}

/// A set whose iteration order is the reference's (e.g. a connection's service set).
public typealias ReferenceSet<Key: ReferenceHashKey> = ReferenceDictionary<Key, Void>

/// Shards own their tables; a table of sendable keys and values can move between threads.
extension ReferenceDictionary: Sendable where Key: Sendable, Value: Sendable {}
extension ReferenceDictionary.Entry: Sendable where Key: Sendable, Value: Sendable {}
extension ReferenceDictionary.Chain: Sendable {}
