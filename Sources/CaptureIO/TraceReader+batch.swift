/// Batches across the files of a trace (see `CaptureReader.nextBatch`).
extension TraceReader {
    /// Refills `batch` with up to `maxPackets` next packets of the trace. A batch
    /// never spans two files (nor two decompression windows), so it may hold fewer.
    /// - Returns: the number of packets; 0 only after the last packet of the last file.
    /// - Throws: `CaptureError` when the current file is corrupt (packets before the
    ///   fault come first, in earlier batches or this one) or the next file cannot
    ///   be opened.
    public func nextBatch(into batch: inout PacketBatch, maxPackets: Int) throws(CaptureError) -> Int {
        while true {
            try throwOpenFailure()
            guard let reader = current else {
                batch.release()
                return 0
            }
            let count = try reader.nextBatch(into: &batch, maxPackets: maxPackets)
            if count > 0 {
                noteDelivered(through: batch.packets[count - 1].sequence)
                return count
            }
            try advanceToNextFile()
        }
    }
}
