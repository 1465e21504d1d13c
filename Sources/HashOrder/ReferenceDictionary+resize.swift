/// Incremental resizing: the reference never rehashes a whole table at once,
/// it moves a few chains per insert (and so interleaves old and new order).
extension ReferenceDictionary {
    /// The reference's size rule: odd, and prime up to 1000 (primality tests
    /// above that are skipped as too expensive, so larger sizes are just odd).
    /// - Parameter n: the requested size.
    /// - Returns: the bucket count actually used.
    @inlinable
    public static func nextPrime(_ n: Int) -> Int {
        var candidate = n | 1
        if candidate > 1000 { return candidate }
        while !isPrime(candidate) { candidate += 2 }
        return candidate
    }

    /// Trial division by every j >= 3, as the reference does; only ever asked about odd numbers.
    @inlinable
    static func isPrime(_ n: Int) -> Bool {
        var j = 3
        while j * j <= n {
            if n % j == 0 { return false }
            j += 1
        }
        return true
    }

    @inlinable
    mutating func startResize() {
        let buckets = Self.nextPrime(table.count * 2 + 1)
        resizeTable = [Chain](repeating: Chain(), count: buckets)
        resizeTableEntryCount = 0
        moveCursor = 0
    }

    /// Moves whole old chains, in bucket order, until at least
    /// `entriesMovedPerInsert` entries moved or the old table is exhausted.
    @inlinable
    mutating func moveChains() {
        var budget = Self.entriesMovedPerInsert
        repeat {
            let bucket = moveCursor
            moveCursor += 1
            var slot = table[bucket].head
            table[bucket] = Chain()
            while slot >= 0 {
                let entry = slots[Int(slot)].unsafelyUnwrapped
                // The cursor is past this bucket, so the entry now belongs to the new table.
                append(slot, to: ChainLocation(inResizeTable: true, bucket: Int(entry.hash % UInt32(resizeTable.count))))
                tableEntryCount -= 1
                resizeTableEntryCount += 1
                budget -= 1
                slot = entry.next
            }
        } while budget > 0 && moveCursor < table.count
        if moveCursor >= table.count { finishResize() }
    }

    @inlinable
    mutating func finishResize() {
        assert(tableEntryCount == 0, "old table must be empty when a resize finishes")
        table = resizeTable
        resizeTable = []
        tableEntryCount = resizeTableEntryCount
        resizeTableEntryCount = 0
        moveCursor = 0
        resizeThreshold = Self.threshold(forBuckets: table.count)
    }
}
