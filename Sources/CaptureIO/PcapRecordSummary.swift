/// The header fields of one classic pcap record, in host byte order, as a
/// decompression thread read them from a window it had just decoded.
///
/// With several decoding threads the consumer would otherwise walk record headers
/// in windows another core wrote: one cache-line transfer per record, on a chain
/// where each caplen decides where the next header is, so nothing overlaps it.
/// The decoding thread walks them instead while the window is still in its own
/// cache and publishes these 16-byte summaries (four per line, read in order).
struct PcapRecordSummary {
    var seconds: UInt32
    var fraction: UInt32
    var capturedLength: UInt32
    var wireLength: UInt32

    init(seconds: UInt32, fraction: UInt32, capturedLength: UInt32, wireLength: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
        self.capturedLength = capturedLength
        self.wireLength = wireLength
    }

    /// The 16-byte record header at `header` (the caller checked the bytes are there).
    @inline(__always)
    init(header: UnsafeRawPointer, swapped: Bool) {
        seconds = header.loadUnaligned(as: UInt32.self)
        fraction = header.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        capturedLength = header.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        wireLength = header.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        if swapped {
            seconds = seconds.byteSwapped; fraction = fraction.byteSwapped
            capturedLength = capturedLength.byteSwapped; wireLength = wireLength.byteSwapped
        }
    }
}

/// What a decoding thread needs to walk classic pcap records: announced by the
/// consumer once it has read the stream's file header.
struct PcapRecordLayout: Equatable {
    var swapped: Bool
    var maxCaptureLength: UInt32
}

/// The record summaries of one decoded window.
///
/// Valid only as a speculation: they say which records start at `firstRecord`
/// *if* a record starts there. The walking thread assumed that its frame starts on
/// a record boundary (true for files made by `corpus pack`, not for a generic
/// file), so the consumer uses them only while its own cursor sits exactly where
/// the next summary says a record starts, and otherwise parses the bytes as usual.
struct ZstdWindowSummaries {
    var records: UnsafePointer<PcapRecordSummary>?
    var count: Int
    /// Window-relative offset of the first summarised record.
    var firstRecord: Int

    static var none: ZstdWindowSummaries { ZstdWindowSummaries(records: nil, count: 0, firstRecord: 0) }
}

/// One decoding lane's walk over the records of the frame it decodes, carried
/// from window to window of that frame. The walk follows the decoder through the
/// window (`walk` after every chunk it produced), so each header is read while the
/// bytes just written are still in the decoding core's cache.
///
/// Only records lying entirely inside a window are summarised, and only up to the
/// first record the parser would reject (caplen above the limit): for those and
/// for records straddling windows the consumer takes its normal path, which
/// copies, checks and reports errors exactly as without summaries.
struct PcapRecordSummarizer {
    /// Where the next record header starts, relative to the next window of the
    /// frame; nil when the walk lost track (no layout yet, a rejected record).
    private var nextRecord: Int?
    /// The first bytes of a record header split across windows.
    private var tail: (UInt64, UInt64) = (0, 0)
    private var tailCount = 0

    // The window being decoded.
    private var layout = PcapRecordLayout(swapped: false, maxCaptureLength: 0)
    private var walking = false
    /// Window offset of the next record header.
    private var position = 0
    private var out: UnsafeMutablePointer<PcapRecordSummary>?
    private var capacity = 0
    private var first = 0
    private var count = 0

    init() {}

    /// A new frame starts: assume it starts on a record boundary (just after the
    /// 24-byte file header for the stream's first frame).
    mutating func startFrame(atStreamStart: Bool) {
        nextRecord = atStreamStart ? PcapFileHeader.length : 0
        tailCount = 0
    }

    /// The frame's next window is about to be decoded; up to `capacity` summaries
    /// go to `out` (later records are still walked, to keep the chain).
    mutating func beginWindow(
        layout: PcapRecordLayout?, into out: UnsafeMutablePointer<PcapRecordSummary>, capacity: Int
    ) {
        self.out = out
        self.capacity = capacity
        count = 0
        guard let layout, let next = nextRecord else {
            walking = false
            return
        }
        self.layout = layout
        walking = true
        position = next
    }

    /// Summarises the records lying entirely in the first `produced` bytes of the window.
    mutating func walk(_ window: UnsafeRawPointer, produced: Int) {
        guard walking else { return }
        if tailCount > 0 {
            // A header began in the previous window: complete it to learn its caplen.
            let need = 16 - tailCount
            guard produced >= need else { return }
            appendTail(window, count: need)
            tailCount = 0
            var caplen = UInt32(truncatingIfNeeded: tail.1)
            if layout.swapped { caplen = caplen.byteSwapped }
            guard caplen <= layout.maxCaptureLength else {
                walking = false
                return
            }
            position = need + Int(caplen)
        }
        while produced - position >= 16 {
            let record = PcapRecordSummary(header: window + position, swapped: layout.swapped)
            let caplen = record.capturedLength
            guard caplen <= layout.maxCaptureLength else {
                walking = false
                return
            }
            let end = position + 16 + Int(caplen)
            if end > produced { return }  // may still fit once more is decoded
            if count < capacity {
                if count == 0 { first = position }
                out![count] = record
                count += 1
            }
            position = end
        }
    }

    /// The window is complete (`length` bytes, all walked): its summaries, and
    /// where the chain continues in the frame's next window.
    mutating func finishWindow(_ window: UnsafeRawPointer, length: Int) -> ZstdWindowSummaries {
        let summaries = count > 0 ? ZstdWindowSummaries(records: out, count: count, firstRecord: first) : .none
        guard walking else {
            nextRecord = nil
            tailCount = 0
            return summaries
        }
        if tailCount > 0 {
            // The header is still incomplete: this window was shorter than its rest.
            appendTail(window, count: length)
        } else if position >= length {
            // The record's data runs on past this whole window.
            nextRecord = position - length
        } else if length - position >= 16 {
            // The header is here (its caplen was checked) but the data runs past the end.
            var caplen = (window + position).loadUnaligned(fromByteOffset: 8, as: UInt32.self)
            if layout.swapped { caplen = caplen.byteSwapped }
            nextRecord = position + 16 + Int(caplen) - length
        } else {
            appendTail(window + position, count: length - position)
            nextRecord = 0
        }
        return summaries
    }

    private mutating func appendTail(_ bytes: UnsafeRawPointer, count: Int) {
        withUnsafeMutableBytes(of: &tail) { buffer in
            for i in 0..<count { buffer[tailCount + i] = bytes.load(fromByteOffset: i, as: UInt8.self) }
        }
        tailCount += count
    }
}
