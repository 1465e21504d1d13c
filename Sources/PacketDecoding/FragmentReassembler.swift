/// Memory bounds for held fragments. The reference keeps incomplete reassemblies
/// forever (`frag_timeout = 0`); these caps keep memory bounded anyway. When one is hit
/// the oldest reassembly is dropped and counted.
public struct FragmentLimits: Sendable, Equatable {
    /// Datagrams being reassembled at once.
    public var maxReassemblies: Int
    /// Bytes held over all reassemblies (headers + fragment data).
    public var maxHeldBytes: Int

    /// Defaults far above anything the corpora need (each held first fragment costs
    /// about one MTU), so they never change results there.
    public init(maxReassemblies: Int = 16_384, maxHeldBytes: Int = 64 << 20) {
        self.maxReassemblies = maxReassemblies
        self.maxHeldBytes = maxHeldBytes
    }
}

/// What a reassembler has done so far.
public struct FragmentCounters: Sendable, Equatable {
    /// Fragments handed to `add`.
    public var fragments: UInt64 = 0
    /// Reassemblies started (first fragment of a key).
    public var reassembliesStarted: UInt64 = 0
    /// Datagrams rebuilt.
    public var reassembled: UInt64 = 0
    /// Reassemblies dropped because a cap was hit (not a reference behaviour).
    public var evictedReassemblies: UInt64 = 0
    /// Their held bytes.
    public var evictedBytes: UInt64 = 0
    /// Fragments whose data could not be held even after evicting everything else.
    public var refusedFragments: UInt64 = 0
    /// Fragments carrying no data after the first-seen header length (ignored, as in
    /// the reference, after their weirds were raised).
    public var emptyFragments: UInt64 = 0
    /// Reassemblies and bytes held right now, and the peak of the latter.
    public var heldReassemblies = 0
    public var heldBytes = 0
    public var peakHeldBytes = 0
    public init() {}
}

/// IPv4 fragment reassembly as the reference does it (SEMANTICS-CONN §1.5), owned by
/// one shard. Allocates only when fragments arrive; unfragmented traffic never
/// touches it.
public final class FragmentReassembler {
    public let limits: FragmentLimits
    public private(set) var counters = FragmentCounters()

    /// Result of adding one fragment.
    public enum AddResult {
        /// Held; the datagram is not complete yet (or the fragment was dropped).
        case held
        /// The datagram is complete: its IP header (the first-seen one, `ip_len`
        /// rewritten) followed by the data. Valid until the next call to `add`. The
        /// reassembly itself is already forgotten, as the reference removes it after
        /// processing the rebuilt packet.
        case completed(UnsafeRawBufferPointer)
    }

    private var index: [FragmentKey: Int] = [:]
    private var slots: [FragmentReassembly] = []
    private var freeSlots: [Int] = []
    /// Creation order for eviction: (key, generation), consumed from `orderHead`;
    /// stale entries (completed or already evicted) are skipped.
    private var order: [(key: FragmentKey, generation: UInt64)] = []
    private var orderHead = 0
    private var nextGeneration: UInt64 = 0
    /// The rebuilt datagram; grows to the largest one seen and is reused.
    private var output = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    public init(limits: FragmentLimits = FragmentLimits()) {
        self.limits = limits
    }

    deinit { output.deallocate() }

    /// Reassemblies currently held.
    public var count: Int { index.count }

    /// Adds one fully captured fragment (`caplen ≥ ip_len` was checked by the caller).
    ///
    /// Order of checks is the reference's `AddFragment`: protocol/IHL consistency with
    /// the first-seen fragment, DF, last-fragment size bookkeeping, small/large
    /// fragment, size beyond a known end; then the data is inserted (overlap weirds) and
    /// completeness is tested (size weirds). All weirds are flow weirds for (src, dst).
    /// - Parameters:
    ///   - datagram: the fragment's captured IP bytes, at least 20 and at least `totalLength`.
    ///   - totalLength: the fragment's `ip_len`.
    ///   - key: (src, dst, id) of the fragment.
    ///   - weirds: flow weirds are appended here in the order raised.
    public func add(
        _ datagram: UnsafeRawBufferPointer, totalLength: Int, key: FragmentKey, weirds: inout [PacketWeird]
    ) -> AddResult {
        precondition(datagram.count >= 20 && datagram.count >= totalLength, "fragment not fully captured")
        counters.fragments += 1
        let slot = slotFor(key, firstFragment: datagram)
        let scope = PacketWeirdScope.flow(source: key.source, destination: key.destination)
        let ipLength = totalLength
        let protocolNumber = datagram[9]
        let ihl = datagram[0] & 0x0f
        let fragmentField = datagram.beUInt16(at: 6)

        if protocolNumber != slots[slot].protocolNumber || ihl != slots[slot].ihl {
            weirds.append(PacketWeird(.fragmentProtocolInconsistency, scope))
        }
        if fragmentField & 0x4000 != 0 {
            weirds.append(PacketWeird(.fragmentWithDF, scope))
        }
        // The data starts after the *first-seen* header length, whatever this one says.
        let headerLength = slots[slot].headerLength
        let offset = Int(fragmentField & 0x1fff) * 8
        let upperSeq = offset + ipLength - headerLength
        if fragmentField & 0x2000 == 0 {
            if slots[slot].fragmentSize == 0 {
                slots[slot].fragmentSize = upperSeq
            } else if upperSeq != slots[slot].fragmentSize {
                weirds.append(PacketWeird(.fragmentSizeInconsistency, scope))
                if upperSeq > slots[slot].fragmentSize { slots[slot].fragmentSize = upperSeq }
            }
        } else if ipLength < 64 {
            weirds.append(PacketWeird(.excessivelySmallFragment, scope))
        }
        if upperSeq > 64000 {
            weirds.append(PacketWeird(.excessivelyLargeFragment, scope))
        }
        if slots[slot].fragmentSize != 0 && upperSeq > slots[slot].fragmentSize {
            weirds.append(PacketWeird(.fragmentSizeInconsistency, scope))
            slots[slot].fragmentSize = upperSeq
        }

        // No data (ip_len ≤ first-seen hl): the reference's NewBlock returns before its
        // completeness test (it would crash on a negative length with a positive end).
        let dataLength = ipLength - headerLength
        guard dataLength > 0 else {
            counters.emptyFragments += 1
            return .held
        }
        guard makeRoom(for: dataLength, keeping: key) else {
            counters.refusedFragments += 1
            return .held
        }
        let before = slots[slot].heldBytes
        slots[slot].insert(seq: offset, data: datagram.clampedSlice(from: headerLength, to: ipLength), weirds: &weirds)
        adjustHeld(by: slots[slot].heldBytes - before)

        guard let size = slots[slot].completedSize(weirds: &weirds) else { return .held }
        let rebuilt = rebuild(slot: slot, size: size)
        counters.reassembled += 1
        release(slot: slot)
        return .completed(rebuilt)
    }

    // MARK: - Slots

    /// The slot of `key`, creating the reassembly from this fragment's header if new.
    private func slotFor(_ key: FragmentKey, firstFragment datagram: UnsafeRawBufferPointer) -> Int {
        if let slot = index[key] { return slot }
        if index.count >= limits.maxReassemblies { _ = evictOldest(except: key) }
        let generation = nextGeneration
        nextGeneration += 1
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot].reset(key: key, generation: generation)
        } else {
            slot = slots.count
            var fresh = FragmentReassembly(key: key)
            fresh.generation = generation
            slots.append(fresh)
        }
        let ihl = datagram[0] & 0x0f
        slots[slot].ihl = ihl
        slots[slot].protocolNumber = datagram[9]
        // The reference copies IHL×4 bytes whatever ip_len says; bytes past the capture
        // (only possible when ip_len < IHL×4) are zeros here.
        let copied = datagram.clampedSlice(from: 0, to: Int(ihl) * 4)
        slots[slot].header.append(contentsOf: copied)
        slots[slot].header.append(contentsOf: repeatElement(0, count: Int(ihl) * 4 - copied.count))
        index[key] = slot
        order.append((key, generation))
        counters.reassembliesStarted += 1
        counters.heldReassemblies = index.count
        adjustHeld(by: slots[slot].header.count)
        return slot
    }

    private func release(slot: Int) {
        // Read fields, not a copy of the struct: a copy would share the buffers and make
        // the reset below reallocate them.
        let key = slots[slot].key
        index[key] = nil
        adjustHeld(by: -slots[slot].heldBytes)
        slots[slot].reset(key: key, generation: .max)
        freeSlots.append(slot)
        counters.heldReassemblies = index.count
        if index.isEmpty {
            order.removeAll(keepingCapacity: order.capacity <= 1024)
            orderHead = 0
        }
    }

    private func adjustHeld(by delta: Int) {
        counters.heldBytes += delta
        counters.peakHeldBytes = Swift.max(counters.peakHeldBytes, counters.heldBytes)
    }

    // MARK: - Caps

    /// Evicts the oldest reassemblies other than `key` until `bytes` more fit.
    private func makeRoom(for bytes: Int, keeping key: FragmentKey) -> Bool {
        while counters.heldBytes + bytes > limits.maxHeldBytes {
            guard evictOldest(except: key) else { return false }
        }
        return true
    }

    /// Drops the oldest live reassembly that is not `key`. Returns false if none is left.
    private func evictOldest(except key: FragmentKey) -> Bool {
        var kept: (key: FragmentKey, generation: UInt64)?
        defer { if let kept { order.append(kept) } }
        while orderHead < order.count {
            let entry = order[orderHead]
            orderHead += 1
            guard let slot = index[entry.key], slots[slot].generation == entry.generation else { continue }
            if entry.key == key {
                kept = entry  // still in use: requeue it as the youngest
                continue
            }
            counters.evictedReassemblies += 1
            counters.evictedBytes += UInt64(slots[slot].heldBytes)
            release(slot: slot)
            compactOrder()
            return true
        }
        return false
    }

    private func compactOrder() {
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    // MARK: - Output

    private func rebuild(slot: Int, size: Int) -> UnsafeRawBufferPointer {
        let headerLength = slots[slot].header.count
        let total = headerLength + size
        // At least 20 bytes so the fixed header fields are always readable.
        let needed = Swift.max(total, 20)
        if output.count < needed {
            output.deallocate()
            output = .allocate(byteCount: Swift.max(needed, 2048), alignment: 8)
        }
        let out = UnsafeMutableRawBufferPointer(rebasing: output[0 ..< needed])
        out.initializeMemory(as: UInt8.self, repeating: 0)
        slots[slot].build(size: size, into: out)
        return UnsafeRawBufferPointer(out)
    }
}
