import CShims
import CaptureIO
import Connections
import PacketDecoding

/// Why the dispatcher stopped before the end of the input.
public enum DispatchFailure: Error, Sendable, CustomStringConvertible {
    /// A capture file could not be read (or is corrupt at some offset).
    case capture(CaptureError)
    /// A packet's link type is one the reference refuses ("unknown data link type").
    case unknownLinkType(LinkType, file: String)

    public var description: String {
        switch self {
        case .capture(let error): return error.description
        case .unknownLinkType(let linkType, let file): return "\(file): unknown data link type \(linkType)"
        }
    }
}

/// Reads the trace, applies the capture filter, runs packet intake, stamps network
/// time and picks the shard of each packet by the direction-independent flow hash.
///
/// Intake runs here rather than in the shards because net weirds and IP fragments
/// are not per flow; what a shard needs is the transport segment. Confined to one
/// thread at a time.
final class Dispatcher {
    let reader: TraceReader
    let filter: BPFFilter
    let decoder: PacketDecoder
    let shardCount: Int
    /// Raw packets read per batch (the reader may deliver fewer at a file or window end).
    let batchSize: Int
    /// The last link type found acceptable (traces rarely mix link types).
    @exclusivity(unchecked) private var acceptedLinkType: LinkType? = nil
    @exclusivity(unchecked) private(set) var packetsRead: UInt64 = 0
    @exclusivity(unchecked) private(set) var packetsMatched: UInt64 = 0
    @exclusivity(unchecked) private(set) var networkTime: Double = 0
    /// Sequence number of the last packet that passed the filter.
    @exclusivity(unchecked) private(set) var lastSequence: UInt64 = 0
    @exclusivity(unchecked) private var finished = false
    /// Called after every batch read from the trace (not per packet), on the
    /// dispatcher's thread; drives `replay`'s terminal progress line.
    private let progress: EngineProgressObserver?
    /// When set, the reader runs on a thread of its own and batches come from here
    /// (the reader itself must not be touched until the read-ahead has ended).
    private let readAhead: TraceReadAhead?

    init(reader: TraceReader, filter: BPFFilter, decoder: PacketDecoder, shardCount: Int, batchSize: Int,
         progress: EngineProgressObserver? = nil, readAhead: Bool = false) {
        self.reader = reader
        self.readAhead = readAhead ? TraceReadAhead(reader: reader, maxPackets: max(1, batchSize)) : nil
        self.filter = filter
        self.decoder = decoder
        self.shardCount = max(1, shardCount)
        self.batchSize = max(1, batchSize)
        self.progress = progress
    }

    /// Refills `batch` with the packets of the next stretch of the input that pass
    /// the filter. At the end of the input (or at a read fault) the batch is marked
    /// last; it may hold packets then too. Calling again after that gives empty last batches.
    func fill(_ batch: DispatchBatch) {
        batch.recycle()
        guard !finished else {
            finish(batch, failure: nil)
            return
        }
        while batch.packets.isEmpty {
            let count: Int
            do {
                count = try readRaw(into: &batch.capture)
            } catch {
                finish(batch, failure: .capture(error))
                return
            }
            if count == 0 {
                finish(batch, failure: nil)
                return
            }
            for index in 0 ..< count {
                prefetchHeaders(of: index + Self.prefetchDistance, in: batch.capture)
                let packet = batch.capture.packets[index]
                if let failure = dispatch(packet, into: batch) {
                    finish(batch, failure: failure)
                    return
                }
            }
            if let progress { progress(EngineProgress(packetsRead: packetsRead, reader: readerStatistics)) }
        }
    }

    /// Packets of look-ahead for `prefetchHeaders`.
    static let prefetchDistance = 8

    /// Hints the CPU to fetch the first two cache lines of packet `index` (link,
    /// IP and transport headers); an index past the batch is ignored. The reader
    /// runs on another thread, so the filter's first load meets those lines cold
    /// and stalled on every packet (74% of `BPFFilter.matches`' samples sat on
    /// it); asking a few packets ahead overlaps the misses.
    @inline(__always)
    private func prefetchHeaders(of index: Int, in batch: PacketBatch) {
        guard index < batch.packets.count, let base = batch.packets[index].bytes.baseAddress else { return }
        rr_prefetch(base)
        rr_prefetch(base + 64)
    }

    /// The next raw batch of the trace (from the read-ahead thread when there is
    /// one), without filtering: the `.read` cut-off of `rpcreplay bench`.
    func readRaw(into batch: inout PacketBatch) throws(CaptureError) -> Int {
        if let readAhead { return try readAhead.nextBatch(into: &batch) }
        return try reader.nextBatch(into: &batch, maxPackets: batchSize)
    }

    /// The reader's counters as of the last batch read.
    var readerStatistics: ReaderStatistics { readAhead?.statistics ?? reader.statistics }

    private func finish(_ batch: DispatchBatch, failure: DispatchFailure?) {
        // A failure or the end stops the read-ahead thread (a stopped run drops what it read).
        readAhead?.stop()
        finished = true
        batch.isLast = true
        batch.failure = failure
        batch.flushSequence = lastSequence &+ 1
        batch.endNetworkTime = networkTime
    }

    /// Makes `batch` the last one without reading on (a stopped threaded run).
    func stop(_ batch: DispatchBatch) {
        batch.recycle()
        finish(batch, failure: nil)
        batch.isStop = true
    }

    /// Filters, decodes and appends one packet; returns a failure that ends the trace.
    @inline(__always)
    private func dispatch(_ packet: CapturedPacket, into batch: DispatchBatch) -> DispatchFailure? {
        packetsRead &+= 1
        // The reference refuses a file of a link type it has no header length
        // for before reading any packet, whatever the filter would say.
        if packet.linkType != acceptedLinkType {
            guard LinkLayer.headerLength(packet.linkType) != nil else {
                return .unknownLinkType(packet.linkType, file: (readAhead?.currentPath ?? reader.current?.path) ?? "")
            }
            acceptedLinkType = packet.linkType
        }
        guard filter.matches(packet) else { return nil }
        packetsMatched &+= 1
        lastSequence = packet.sequence
        let time = PacketTime(packet.timestamp)
        if time.seconds > networkTime { networkTime = time.seconds }
        let intake = decoder.decode(packet)
        var shard: Int32 = 0
        var segment: TransportSegment? = nil
        if case .datagram(let datagram) = intake {
            segment = TransportSegment(datagram: datagram, time: time, packetSequence: packet.sequence)
            if shardCount > 1, let key = FlowKey(datagram) {
                shard = Int32(truncatingIfNeeded: key.dispatchHash % UInt64(shardCount))
            }
            if let bytes = segment?.bytes, !packet.bytes.contains(bytes) {
                // Rebuilt from fragments: the bytes live in the reassembler until the next packet.
                segment?.bytes = batch.keepCopy(of: bytes)
            }
        }
        let weirdStart = Int32(batch.weirds.count)
        if !decoder.weirds.isEmpty { batch.weirds.append(contentsOf: decoder.weirds) }
        batch.packets.append(DispatchedPacket(
            sequence: packet.sequence, time: time, networkTime: networkTime, segment: segment,
            weirdStart: weirdStart, weirdEnd: Int32(batch.weirds.count), shard: shard))
        return nil
    }
}

extension UnsafeRawBufferPointer {
    /// Whether `inner` lies within these bytes (an empty `inner` always does).
    @inline(__always)
    func contains(_ inner: UnsafeRawBufferPointer) -> Bool {
        guard inner.count > 0 else { return true }
        guard let base = baseAddress, let innerBase = inner.baseAddress else { return false }
        return innerBase >= base && innerBase + inner.count <= base + count
    }
}
