#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reassembler key: the reference keys fragments by (src, dst, IP id) only; the
/// protocol is not part of it.
public struct FragmentKey: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var identification: UInt16

    @inlinable
    public init(source: IPv4Address, destination: IPv4Address, identification: UInt16) {
        self.source = source
        self.destination = destination
        self.identification = identification
    }
}

/// A run of datagram bytes `[seq, upper)` held for one datagram, stored at
/// `offset` in the reassembly's byte storage.
struct FragmentBlock {
    var seq: Int
    var upper: Int
    var offset: Int
}

/// State of one datagram being reassembled (the reference's FragReassembler).
///
/// Blocks mirror the reference's block list: sorted, never overlapping, and data
/// already held always wins over newer data; a new fragment only fills holes. Block
/// boundaries are kept (not merged) because each overlapped block raises its own
/// weird.
struct FragmentReassembly {
    var key: FragmentKey
    /// Creation order, used to evict the oldest reassembly when a cap is hit.
    var generation: UInt64 = 0
    /// The first-seen fragment's IP header (`proto_hdr`), reused for the rebuilt datagram.
    var header: [UInt8] = []
    var protocolNumber: UInt8 = 0
    /// The first-seen header's IHL nibble.
    var ihl: UInt8 = 0
    /// Datagram data size implied by a last fragment; 0 = not known yet.
    var fragmentSize = 0
    var blocks: [FragmentBlock] = []
    var storage: [UInt8] = []

    init(key: FragmentKey) { self.key = key }

    var heldBytes: Int { header.count + storage.count }

    var headerLength: Int { Int(ihl) * 4 }

    /// Starts over for a new datagram, keeping small buffers but returning large ones
    /// so that idle slots never pin memory.
    mutating func reset(key: FragmentKey, generation: UInt64) {
        self.key = key
        self.generation = generation
        fragmentSize = 0
        protocolNumber = 0
        ihl = 0
        if storage.capacity > 4096 { storage = [] } else { storage.removeAll(keepingCapacity: true) }
        if blocks.capacity > 256 { blocks = [] } else { blocks.removeAll(keepingCapacity: true) }
        header.removeAll(keepingCapacity: true)
    }

    /// Adds `data` at datagram offset `seq` (the reference's `NewBlock` + `AddAndCheck`).
    /// Raises `fragment_inconsistency` (different bytes) or `fragment_overlap` (same
    /// bytes) once per already-held block the new data overlaps.
    mutating func insert(seq start: Int, data: UnsafeRawBufferPointer, weirds: inout [PacketWeird]) {
        let upper = start + data.count
        var seq = start
        var consumed = 0  // bytes of `data` already placed or compared
        var i = 0
        while true {
            if let last = blocks.last, seq == last.upper {
                append(seq: seq, upper: upper, data: data, from: consumed)
                return
            }
            if blocks.isEmpty {
                append(seq: seq, upper: upper, data: data, from: consumed)
                return
            }
            while i + 1 < blocks.count && blocks[i].upper <= seq { i += 1 }
            if blocks[i].upper <= seq {
                // blocks[i] is the last block and lies wholly before the new data.
                append(seq: seq, upper: upper, data: data, from: consumed)
                return
            }
            if upper <= blocks[i].seq {
                // Wholly before blocks[i].
                insertBlock(at: i, seq: seq, upper: upper, data: data, from: consumed)
                return
            }
            if seq < blocks[i].seq {
                // The part before blocks[i] fills a hole.
                let prefix = blocks[i].seq - seq
                insertBlock(at: i, seq: seq, upper: seq + prefix, data: data, from: consumed)
                i += 1
                seq += prefix
                consumed += prefix
            }
            let old = blocks[i]
            let overlap = Swift.min(upper - seq, old.upper - seq)
            let same = storage.withUnsafeBytes { held in
                memcmp(held.baseAddress! + old.offset + (seq - old.seq), data.baseAddress! + consumed, overlap) == 0
            }
            weirds.append(PacketWeird(same ? .fragmentOverlap : .fragmentInconsistency,
                                      .flow(source: key.source, destination: key.destination)))
            seq += overlap
            consumed += overlap
            if seq >= upper { return }
        }
    }

    private mutating func append(seq: Int, upper: Int, data: UnsafeRawBufferPointer, from: Int) {
        insertBlock(at: blocks.count, seq: seq, upper: upper, data: data, from: from)
    }

    private mutating func insertBlock(at index: Int, seq: Int, upper: Int, data: UnsafeRawBufferPointer, from: Int) {
        let offset = storage.count
        storage.append(contentsOf: data.clampedSlice(from: from, to: from + (upper - seq)))
        blocks.insert(FragmentBlock(seq: seq, upper: upper, offset: offset), at: index)
    }

    /// The reference's `BlockInserted` completeness test. Returns the datagram data
    /// size to rebuild, or `nil` while something is missing. Raises
    /// `fragment_size_inconsistency` when the contiguous data reaches past the size a
    /// last fragment announced (and then trusts the data).
    mutating func completedSize(weirds: inout [PacketWeird]) -> Int? {
        guard let first = blocks.first, first.seq <= 0, fragmentSize != 0 else { return nil }
        var i = 0
        while i + 1 < blocks.count && blocks[i].upper == blocks[i + 1].seq { i += 1 }
        let scope = PacketWeirdScope.flow(source: key.source, destination: key.destination)
        if i + 1 < blocks.count {
            // A hole after blocks[i]: stuck unless everything up to the announced end is here.
            guard blocks[i].upper >= fragmentSize else { return nil }
            weirds.append(PacketWeird(.fragmentSizeInconsistency, scope))
            fragmentSize = blocks[i].upper
        } else if blocks[i].upper > fragmentSize {
            weirds.append(PacketWeird(.fragmentSizeInconsistency, scope))
            fragmentSize = blocks[i].upper
        } else if blocks[i].upper < fragmentSize {
            return nil  // missing the tail
        }
        return fragmentSize
    }

    /// Writes header + contiguous data `[0, size)` to `out` (which must hold
    /// `headerLength + size` bytes), with `ip_len` rewritten to `size + hl` truncated to
    /// 16 bits as the reference's `htons` does.
    func build(size: Int, into out: UnsafeMutableRawBufferPointer) {
        let hl = header.count
        header.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: hl) }
        if hl >= 4 {
            let total = UInt16(truncatingIfNeeded: size + hl)
            out[2] = UInt8(total >> 8)
            out[3] = UInt8(total & 0xff)
        }
        storage.withUnsafeBytes { held in
            var previousUpper = 0
            for block in blocks {
                if block.seq > previousUpper || block.upper > size { break }  // above a hole / past the end
                (out.baseAddress! + hl + block.seq).copyMemory(
                    from: held.baseAddress! + block.offset, byteCount: block.upper - block.seq)
                previousUpper = block.upper
            }
        }
    }
}
