import CaptureIO
import Connections
import PacketDecoding

/// One packet that passed the capture filter, decoded and assigned to a shard.
struct DispatchedPacket {
    var sequence: UInt64
    var time: PacketTime
    /// Network time after this packet: the highest timestamp so far (SEMANTICS-CONN §1.3 step 1).
    var networkTime: Double
    /// The transport segment for connection lookup; nil when intake dropped the
    /// packet (or it is ICMP). Its bytes stay valid as long as the batch.
    var segment: TransportSegment?
    /// Net/flow weirds intake raised for it: `weirdStart ..< weirdEnd` of the batch's `weirds`.
    var weirdStart: Int32
    var weirdEnd: Int32
    /// The shard that owns the packet's flow (every other shard only sees the clock).
    var shard: Int32

    /// What a tracker's clock advances to: the network time (the same as advancing
    /// to the packet's time after every earlier packet's, which a shard skips).
    var clock: PacketTime { PacketTime(seconds: networkTime, exact: time.exact) }

    /// A TCP packet reaching connection lookup: every shard's compressor expires its
    /// old pending SYNs here, as the reference's single compressor does.
    var reachesTCPLookup: Bool { segment?.proto == .tcp }
}

/// A run of dispatched packets, handed read-only to every shard and then to the
/// merge. It keeps the capture memory its packets point into (mapped file or zstd
/// window, through `capture`) until it is recycled, and owns copies of datagrams
/// that intake rebuilt from fragments (their bytes live in the reassembler only
/// until the next packet).
final class DispatchBatch: @unchecked Sendable {
    @exclusivity(unchecked) var packets: [DispatchedPacket] = []
    @exclusivity(unchecked) var weirds: [PacketWeird] = []
    @exclusivity(unchecked) var capture = PacketBatch()
    /// Set on the last batch of the trace (it may hold packets too).
    @exclusivity(unchecked) var isLast = false
    /// Why reading stopped early, on the last batch.
    @exclusivity(unchecked) var failure: DispatchFailure?
    /// On the last batch: the sequence number the flush's records carry (one past
    /// the last packet) and the network time at the end.
    @exclusivity(unchecked) var flushSequence: UInt64 = 0
    @exclusivity(unchecked) var endNetworkTime: Double = 0
    /// Set on a last batch the dispatcher sent because the run was stopped (nothing
    /// in it is to be processed).
    @exclusivity(unchecked) var isStop = false
    /// Copies of rebuilt datagrams: fixed chunks, never moved once written.
    @exclusivity(unchecked) private var chunks: [UnsafeMutableRawBufferPointer] = []
    @exclusivity(unchecked) private var chunk = 0
    @exclusivity(unchecked) private var used = 0

    init() {
        packets.reserveCapacity(256)
    }

    deinit {
        for c in chunks { c.deallocate() }
    }

    /// Empties the batch and lets go of the capture memory (storage is kept).
    func recycle() {
        packets.removeAll(keepingCapacity: true)
        weirds.removeAll(keepingCapacity: true)
        capture.release()
        isLast = false
        isStop = false
        failure = nil
        chunk = 0
        used = 0
    }

    func weirds(of packet: DispatchedPacket) -> ArraySlice<PacketWeird> {
        weirds[Int(packet.weirdStart) ..< Int(packet.weirdEnd)]
    }

    /// A copy of `bytes` that lives as long as the batch's current contents.
    func keepCopy(of bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let n = bytes.count
        while chunk < chunks.count && chunks[chunk].count - used < n {
            chunk += 1
            used = 0
        }
        if chunk == chunks.count {
            chunks.append(.allocate(byteCount: max(64 << 10, n), alignment: 16))
            used = 0
        }
        let destination = chunks[chunk].baseAddress! + used
        if let source = bytes.baseAddress, n > 0 { destination.copyMemory(from: source, byteCount: n) }
        used += n
        return UnsafeRawBufferPointer(start: destination, count: n)
    }
}
