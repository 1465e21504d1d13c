/// The block list of one direction's reassembler (the reference's
/// `Reassembler`), in relative sequence numbers (first byte after SYN = 1).
///
/// Blocks never overlap and stay sorted by sequence number. Their bytes live in
/// one growable arena per direction that is reset whenever the list empties and
/// compacted when mostly dead, so steady-state reassembly does not allocate.
struct ReassemblyBuffer: Sendable {
    struct Block: Sendable {
        var seq: Int64
        var upper: Int64
        /// Offset of the block's bytes in `storage`.
        var offset: Int
        /// The `DataSent` call that created the block, and the block's offset in
        /// that call's packet data: lets in-order data be handed out straight
        /// from the packet.
        var generation: UInt32
        var packetOffset: Int

        @inlinable var size: Int64 { upper - seq }
    }

    /// Blocks in `slots[head...]`; removing from the front only advances `head`.
    private var slots: [Block] = []
    private var head = 0
    private var storage: [UInt8] = []
    /// Bytes referenced by the blocks.
    private(set) var liveBytes = 0

    /// `last_reassem_seq`: everything below has been delivered or skipped.
    var lastReassemSeq: Int64 = 1
    /// `trim_seq`: everything below has been acknowledged and discarded.
    var trimSeq: Int64 = 1
    var skipDeliveries = false
    var didEOF = false
    var hadGap = false
    /// Incremented for each `DataSent` call (see `Block.generation`).
    var generation: UInt32 = 0

    @inlinable var hasBlocks: Bool { head < slots.count }
    @inlinable var count: Int { slots.count - head }
    @inlinable subscript(i: Int) -> Block { slots[head + i] }
    @inlinable var first: Block? { hasBlocks ? slots[head] : nil }
    @inlinable var last: Block? { hasBlocks ? slots[slots.count - 1] : nil }

    /// `NumUndeliveredBytes`: from the delivery point to the top of the last block.
    var undeliveredBytes: Int64 {
        guard let last else { return 0 }
        return last.upper - lastReassemSeq
    }

    /// Bytes held in blocks below the delivery point (delivered, awaiting ACK).
    var awaitingAckBytes: Int64 {
        var total: Int64 = 0
        for i in head ..< slots.count where slots[i].upper <= lastReassemSeq { total += slots[i].size }
        return total
    }

    /// The bytes of block `i`.
    func withBytes<R>(ofBlock i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let b = self[i]
        return storage.withUnsafeBytes { raw in
            body(UnsafeRawBufferPointer(rebasing: raw[b.offset ..< b.offset + Int(b.size)]))
        }
    }

    /// Inserts a new block before index `i` holding `data`.
    mutating func insert(at i: Int, seq: Int64, data: UnsafeRawBufferPointer, packetOffset: Int) {
        let offset = storage.count
        storage.append(contentsOf: data)
        liveBytes += data.count
        slots.insert(Block(seq: seq, upper: seq + Int64(data.count), offset: offset,
                           generation: generation, packetOffset: packetOffset), at: head + i)
    }

    /// Removes the first block.
    mutating func removeFirst() {
        liveBytes -= Int(slots[head].size)
        head += 1
        reclaimIfNeeded()
    }

    /// Drops every block (`ClearBlocks`).
    mutating func clear() {
        slots.removeAll(keepingCapacity: true)
        head = 0
        storage.removeAll(keepingCapacity: true)
        liveBytes = 0
    }

    /// Resets the arena when empty; compacts it when mostly dead.
    private mutating func reclaimIfNeeded() {
        if !hasBlocks {
            clear()
            return
        }
        if head > 64 && head * 2 > slots.count {
            slots.removeFirst(head)
            head = 0
        }
        guard storage.count > 256 * 1024, liveBytes * 2 < storage.count else { return }
        // Move live bytes down in offset order; blocks keep their seq order.
        let order = (head ..< slots.count).sorted { slots[$0].offset < slots[$1].offset }
        var write = 0
        storage.withUnsafeMutableBytes { raw in
            for i in order {
                let b = slots[i]
                let n = Int(b.size)
                if b.offset != write, n > 0 {
                    (raw.baseAddress! + write).copyMemory(from: raw.baseAddress! + b.offset, byteCount: n)
                }
                slots[i].offset = write
                write += n
            }
        }
        storage.removeSubrange(write...)
    }
}

extension ReassemblyBuffer {
    /// Index of the first block whose upper end lies above `seq`.
    func firstBlock(endingAbove seq: Int64) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid].upper <= seq { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// `AddAndCheck`: inserts the parts of [seq, upper) not yet covered by a
    /// block, each as its own block; bytes already buffered win. Returns the
    /// index of the block delivery should start looking at (the reference's
    /// returned block).
    mutating func addAndCheck(seq start: Int64, upper: Int64, data: UnsafeRawBufferPointer, packetOffset: Int) -> Int {
        if !hasBlocks {
            insert(at: 0, seq: start, data: data, packetOffset: packetOffset)
            return 0
        }
        var seq = start
        var offset = 0  // into data
        var result: Int? = nil
        var i = 0
        func rest(_ from: Int, _ count: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: data[from ..< from + count])
        }
        while true {
            let remaining = Int(upper - seq)
            // Appending right after the last block.
            if seq == self[count - 1].upper {
                insert(at: count, seq: seq, data: rest(offset, remaining), packetOffset: packetOffset + offset)
                return result ?? count - 1
            }
            while i + 1 < count && self[i].upper <= seq { i += 1 }
            if self[i].upper <= seq {
                insert(at: i + 1, seq: seq, data: rest(offset, remaining), packetOffset: packetOffset + offset)
                return result ?? i + 1
            }
            if upper <= self[i].seq {
                insert(at: i, seq: seq, data: rest(offset, remaining), packetOffset: packetOffset + offset)
                return result ?? i
            }
            // Overlap with block i.
            var levelResult = i
            if seq < self[i].seq {
                let prefix = Int(self[i].seq - seq)
                insert(at: i, seq: seq, data: rest(offset, prefix), packetOffset: packetOffset + offset)
                levelResult = i
                if result == nil { result = i }
                i += 1
                seq += Int64(prefix)
                offset += prefix
            }
            let overlap = min(upper - seq, self[i].upper - seq)
            if overlap < upper - seq {
                // The remainder lies beyond block i: continue from there.
                seq += overlap
                offset += Int(overlap)
                continue
            }
            return result ?? levelResult
        }
    }

    /// Drops delivered blocks from the front, oldest first, while more than
    /// `limit` delivered bytes wait for an ACK; keeps at least one block.
    /// Returns the number of bytes dropped.
    mutating func dropAwaitingAck(above limit: Int64, maxBlocks: Int) -> Int64 {
        // Cheap exit: everything held is within both limits.
        guard Int64(liveBytes) > limit || count > maxBlocks else { return 0 }
        var awaiting = awaitingAckBytes
        var dropped: Int64 = 0
        while count > 1, self[0].upper <= lastReassemSeq, awaiting > limit || count > maxBlocks {
            awaiting -= self[0].size
            dropped += self[0].size
            removeFirst()
        }
        return dropped
    }
}
