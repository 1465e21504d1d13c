/// A forward-only byte stream that the record parsers (pcap over zstd, pcapng)
/// walk. Two implementations: `MappedByteStream` (a whole mapped file, where
/// every record is already contiguous) and `ZstdByteStream` (a ring of
/// decompression windows, where a record crossing a window boundary is copied
/// once into a straddle buffer).
///
/// Parsers are generic over the stream so each pairing is specialised; nothing
/// here is dispatched dynamically per packet.
///
/// Contract for parsers: a buffer returned by `peek` is only valid until the
/// next `peek` or `skip` (the stream may release the window it points into, or
/// grow the straddle buffer). Read the fields you need before peeking again.
/// Buffers stay valid across `consume`, so a packet slice taken from the last
/// peek survives until the parser is asked for the following packet.
protocol CaptureByteStream {
    /// Offset of the cursor in the (decompressed) stream.
    var offset: UInt64 { get }

    /// Contiguous bytes starting at the cursor: at least `count` of them, or every
    /// remaining byte when the stream ends sooner (a count of 0 means a clean end).
    /// May return more than `count`. Callers bound `count` (caplen and block limits),
    /// which is what bounds the straddle buffer.
    mutating func peek(_ count: Int) throws(CaptureError) -> UnsafeRawBufferPointer

    /// Moves the cursor forward by `count` bytes of the last peek.
    mutating func consume(_ count: Int)

    /// Moves the cursor forward by `count` bytes without making them contiguous
    /// (skipped pcapng blocks may be large). Returns how many bytes were skipped:
    /// fewer than `count` only at the end of the stream.
    mutating func skip(_ count: UInt64) throws(CaptureError) -> UInt64

    /// For zstd input: the frame holding the cursor (index, compressed offset), for
    /// error messages. `nil` for plain files.
    var frameContext: (index: Int, compressedOffset: UInt64)? { get }

    /// Classic pcap only: the record at the cursor as a decoding thread already
    /// walked it, with the cursor moved past it; nil when there is no such summary
    /// for the cursor's position (the caller then parses the bytes itself).
    mutating func takeSummarizedRecord() -> SummarizedPcapRecord?
}

/// A record handed out from a `PcapRecordSummary` instead of its header bytes.
struct SummarizedPcapRecord {
    var summary: PcapRecordSummary
    /// The record's header (its data follows).
    var start: UnsafeRawPointer
    /// Stream offset of the header.
    var offset: UInt64
}

/// A stream over bytes that are all in memory (a mapped file).
struct MappedByteStream: CaptureByteStream {
    let data: UnsafeRawBufferPointer
    var position: Int

    init(data: UnsafeRawBufferPointer, position: Int = 0) {
        self.data = data
        self.position = position
    }

    var offset: UInt64 { UInt64(position) }

    /// Always the whole rest of the mapping: records never need copying.
    @inline(__always)
    mutating func peek(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: data[position...])
    }

    @inline(__always)
    mutating func consume(_ count: Int) { position += count }

    mutating func skip(_ count: UInt64) -> UInt64 {
        let step = min(count, UInt64(data.count - position))
        position += Int(step)
        return step
    }

    var frameContext: (index: Int, compressedOffset: UInt64)? { nil }

    /// Plain bytes are walked directly: nobody summarised them.
    @inline(__always)
    mutating func takeSummarizedRecord() -> SummarizedPcapRecord? { nil }
}

extension UnsafeRawBufferPointer {
    /// A 32-bit word at `offset`, byte-swapped when the producer's byte order differs from ours.
    @inline(__always)
    func word(_ offset: Int, swapped: Bool) -> UInt32 {
        let v = loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return swapped ? v.byteSwapped : v
    }

    @inline(__always)
    func half(_ offset: Int, swapped: Bool) -> UInt16 {
        let v = loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return swapped ? v.byteSwapped : v
    }
}
