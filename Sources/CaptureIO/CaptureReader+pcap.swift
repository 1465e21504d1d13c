import CShims

/// Classic pcap (libpcap savefile) walking.
@usableFromInline
struct PcapState {
    @usableFromInline var data = UnsafeRawBufferPointer(start: nil, count: 0)
    @usableFromInline var position = 0
    @usableFromInline var swapped = false
    @usableFromInline var nanosecond = false
    @usableFromInline var linkType = LinkType.ethernet
    @usableFromInline var snaplen: UInt32 = 0
    /// Every cache line below this offset has been prefetched.
    @usableFromInline var prefetched = 0
    /// Records longer than this are cut to it (see `PcapFileHeader.snapshotLimit`).
    @usableFromInline var snapshotLimit: UInt32 = .max
    @usableFromInline init() {}
}

/// The 24-byte classic pcap file header.
@usableFromInline
struct PcapFileHeader: Sendable {
    static let length = 24
    @usableFromInline var swapped: Bool
    @usableFromInline var nanosecond: Bool
    @usableFromInline var snaplen: UInt32
    @usableFromInline var linkType: LinkType

    static func isMagic(_ magic: UInt32) -> Bool {
        magic == 0xA1B2_C3D4 || magic == 0xA1B2_3C4D || magic == 0xD4C3_B2A1 || magic == 0x4D3C_B2A1
    }

    /// Parses the header at the start of `data`; nil when fewer than 24 bytes or the magic is not pcap's.
    init?(_ data: UnsafeRawBufferPointer) {
        guard data.count >= Self.length else { return nil }
        switch data.loadUnaligned(as: UInt32.self) {
        case 0xA1B2_C3D4: swapped = false; nanosecond = false
        case 0xA1B2_3C4D: swapped = false; nanosecond = true
        case 0xD4C3_B2A1: swapped = true; nanosecond = false
        case 0x4D3C_B2A1: swapped = true; nanosecond = true
        default: return nil
        }
        snaplen = data.word(16, swapped: swapped)
        // The upper bits of the link-type field carry FCS information (pcap spec).
        linkType = LinkType(rawValue: data.word(20, swapped: swapped) & 0x0FFF_FFFF)
    }

    /// libpcap hands out at most the file's snapshot length per packet (a snaplen
    /// of 0 or above the maximum means the maximum): a record whose caplen exceeds
    /// it is consumed whole but delivered cut to the snaplen, as libpcap (then and
    /// now) does and so as the reference saw it. Counted in `snaplenTruncations`.
    func snapshotLimit(maxCaptureLength: UInt32) -> UInt32 {
        snaplen == 0 || snaplen > maxCaptureLength ? maxCaptureLength : snaplen
    }

    var byteOrder: CaptureByteOrder {
        let little = (1 as UInt16).littleEndian == 1
        return (little != swapped) ? .littleEndian : .bigEndian
    }

    /// Out-of-range fractions (corrupt files) carry into the seconds, as the
    /// reference's `tv_sec + tv_usec / 1e6` does, rather than being trusted.
    /// Widened first: a corrupt microsecond field above 4_294_967 would wrap in 32 bits.
    @inlinable @inline(__always)
    static func timestamp(seconds sec: UInt32, fraction: UInt32, nanosecond: Bool) -> CaptureTimestamp {
        let nanos: UInt64 = nanosecond ? UInt64(fraction) : UInt64(fraction) &* 1000
        return nanos < 1_000_000_000
            ? CaptureTimestamp(seconds: Int64(sec), nanoseconds: UInt32(truncatingIfNeeded: nanos))
            : CaptureTimestamp(
                seconds: Int64(sec) + Int64(nanos / 1_000_000_000),
                nanoseconds: UInt32(truncatingIfNeeded: nanos % 1_000_000_000))
    }
}

extension CaptureReader {
    @usableFromInline static var pcapRecordHeaderLength: Int { 16 }
    /// How far ahead of the current record the walk prefetches.
    @usableFromInline static var pcapPrefetchDistance: Int { 2048 }

    func openPcap(_ data: UnsafeRawBufferPointer) throws(CaptureError) {
        guard let header = PcapFileHeader(data) else {
            throw CaptureError(file: path, offset: 0, problem: .truncatedFileHeader)
        }
        var state = PcapState()
        state.swapped = header.swapped
        state.nanosecond = header.nanosecond
        state.snaplen = header.snaplen
        state.snapshotLimit = header.snapshotLimit(maxCaptureLength: options.maxCaptureLength)
        state.linkType = header.linkType
        state.data = data
        state.position = PcapFileHeader.length
        byteOrder = header.byteOrder
        format = .pcap
        pcapLinkTypes = [state.linkType]
        pcap = state
        counters.streamBytes = UInt64(PcapFileHeader.length)
    }

    @inline(__always)
    func nextPcapPacket() throws(CaptureError) -> CapturedPacket? {
        let data = pcap.data
        let pos = pcap.position
        let remaining = data.count - pos
        if remaining == 0 { return nil }
        guard remaining >= Self.pcapRecordHeaderLength else {
            throw CaptureError(file: path, offset: UInt64(pos), problem: .truncatedRecordHeader)
        }
        let base = data.baseAddress! + pos
        // Walking records is latency-bound (each caplen decides where the next
        // header is): keep every cache line up to `pcapPrefetchDistance` ahead
        // requested, so the next headers are in cache whatever the record sizes.
        // One prefetch per record at a fixed offset misses most headers (records
        // are rarely that long); covering every line makes the walk run at the
        // memory-walk rate, and later stages read those packet bytes anyway.
        let horizon = min(pos &+ Self.pcapPrefetchDistance, data.count)
        var line = pcap.prefetched
        if line < horizon {
            let start = data.baseAddress!
            repeat {
                rr_prefetch(start + line)
                line &+= 64
            } while line < horizon
            pcap.prefetched = line
        }
        let record = PcapRecordSummary(header: base, swapped: pcap.swapped)
        let (sec, frac, caplen, wirelen) = (record.seconds, record.fraction, record.capturedLength, record.wireLength)
        guard caplen <= options.maxCaptureLength else {
            throw CaptureError(file: path, offset: UInt64(pos), problem: .absurdCaptureLength(caplen, limit: options.maxCaptureLength))
        }
        let dataStart = pos + Self.pcapRecordHeaderLength
        guard Int(caplen) <= data.count - dataStart else {
            throw CaptureError(
                file: path, offset: UInt64(pos),
                problem: .truncatedRecordData(needed: UInt64(caplen), available: UInt64(data.count - dataStart)))
        }
        let end = dataStart + Int(caplen)
        pcap.position = end
        var kept = end
        if caplen > pcap.snapshotLimit {
            kept = dataStart + Int(pcap.snapshotLimit)
            counters.snaplenTruncations &+= 1
        }
        let ts = PcapFileHeader.timestamp(seconds: sec, fraction: frac, nanosecond: pcap.nanosecond)
        let seq = nextSequence
        nextSequence = seq &+ 1
        counters.packets &+= 1
        counters.dataBytes &+= UInt64(kept - dataStart)
        counters.streamBytes = UInt64(end)
        return CapturedPacket(
            sequence: seq, timestamp: ts, wireLength: wirelen, linkType: pcap.linkType, interfaceID: 0,
            streamOffset: UInt64(pos),
            bytes: UnsafeRawBufferPointer(rebasing: data[dataStart..<kept]))
    }
}
