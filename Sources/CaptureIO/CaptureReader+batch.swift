/// Batches: many packets per call, each batch keeping its windows alive until it
/// is released, so a sharded engine can hold packets across threads.
extension CaptureReader {
    /// Refills `batch` with up to `maxPackets` next packets.
    ///
    /// The packets previously in `batch` are released first (if no other copy of
    /// the batch exists; otherwise that copy keeps them and `batch` gets fresh
    /// storage). A batch never pins more than one decompression window (plus
    /// batch-owned copies of straddling records), so it may end before
    /// `maxPackets` at a window boundary, and a batch of a mapped file ends after
    /// `maxMappedBatchBytes`; a reader blocked by unreleased batches waits for them.
    /// - Returns: the number of packets in the batch; 0 only at the clean end.
    /// - Throws: `CaptureError` when the input is corrupt and no packet precedes
    ///   the fault in this batch (packets before a fault are returned first; the
    ///   next call throws).
    public func nextBatch(into batch: inout PacketBatch, maxPackets: Int) throws(CaptureError) -> Int {
        if isKnownUniquelyReferenced(&batch.keeper) {
            batch.keeper.reset()
        } else {
            batch.keeper = BatchKeeper()
        }
        batch.packets.removeAll(keepingCapacity: true)
        let keeper = batch.keeper
        keeper.file = file
        let start = counters.streamBytes
        while batch.packets.count < maxPackets {
            if zstdStream == nil && counters.streamBytes &- start >= UInt64(Self.maxMappedBatchBytes) {
                break
            }
            if let stream = zstdStream, let held = keeper.lastWindow, held == stream.windowIndex,
                !nextRecordFitsInCurrentWindow(stream)
            {
                // Reading on would move the cursor past the window this batch pins;
                // stop so the batch never needs a second window.
                break
            }
            let packet: CapturedPacket?
            do {
                packet = try next()
            } catch {
                if batch.packets.isEmpty { throw error }
                // Deliver what precedes the fault; the next call throws it again
                // (the plain walk stays put, the other walkers keep `failure`).
                break
            }
            guard var p = packet else { break }
            if let stream = zstdStream {
                if let window = stream.windowHolding(p.bytes) {
                    keeper.hold(window, of: stream.ring)
                } else {
                    p.bytes = keeper.keepCopy(of: p.bytes)
                    counters.copiedBytes &+= UInt64(p.bytes.count)
                }
            }
            batch.packets.append(p)
        }
        if zstdStream == nil { file.releasePages(before: Int(counters.streamBytes)) }
        return batch.packets.count
    }

    /// A plain batch also ends once it spans this much of the file. The pages of a
    /// mapping are handed back `MappedFile.releaseLag` (32 MiB) behind the reader,
    /// and a threaded replay keeps about seven batches in flight behind it
    /// (read-ahead, dispatch, shards, policy): 4 MiB each keeps them all clear of
    /// released pages, which a consumer would otherwise fault back in.
    public static let maxMappedBatchBytes = 4 << 20

    /// Whether the next record lies entirely inside the current zstd window, so
    /// reading it needs no other window.
    private func nextRecordFitsInCurrentWindow(_ stream: ZstdByteStream) -> Bool {
        guard let rest = stream.restOfWindow else { return false }
        switch mode {
        case .pcapZstd:
            if stream.hasSummaryAtCursor { return true }
            guard rest.count >= 16, let parser = pcapZstd else { return false }
            let caplen = rest.word(8, swapped: parser.header.swapped)
            return UInt64(caplen) + 16 <= UInt64(rest.count)
        case .pcapngZstd:
            guard rest.count >= 8, let parser = pcapngZstd else { return false }
            let type = rest.loadUnaligned(as: UInt32.self)
            if type == PcapngBlockType.sectionHeader { return false }
            return UInt64(rest.word(4, swapped: parser.swapped)) <= UInt64(rest.count)
        default:
            return true
        }
    }
}
