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
    @usableFromInline init() {}
}

extension CaptureReader {
    static let pcapFileHeaderLength = 24
    @usableFromInline static var pcapRecordHeaderLength: Int { 16 }
    /// How far ahead of the current record the walk prefetches.
    @usableFromInline static var pcapPrefetchDistance: Int { 2048 }

    func openPcap(_ data: UnsafeRawBufferPointer) throws(CaptureError) {
        guard data.count >= Self.pcapFileHeaderLength else {
            throw CaptureError(file: path, offset: 0, problem: .truncatedFileHeader)
        }
        let magic = data.loadUnaligned(as: UInt32.self)
        var state = PcapState()
        switch magic {
        case 0xA1B2_C3D4: state.swapped = false; state.nanosecond = false
        case 0xA1B2_3C4D: state.swapped = false; state.nanosecond = true
        case 0xD4C3_B2A1: state.swapped = true; state.nanosecond = false
        default: state.swapped = true; state.nanosecond = true  // 0x4D3CB2A1
        }
        let little = (1 as UInt16).littleEndian == 1
        byteOrder = (little != state.swapped) ? .littleEndian : .bigEndian
        func word(_ off: Int) -> UInt32 {
            let v = data.loadUnaligned(fromByteOffset: off, as: UInt32.self)
            return state.swapped ? v.byteSwapped : v
        }
        state.snaplen = word(16)
        // The upper bits of the link-type field carry FCS information (pcap spec).
        state.linkType = LinkType(rawValue: word(20) & 0x0FFF_FFFF)
        state.data = data
        state.position = Self.pcapFileHeaderLength
        format = .pcap
        linkTypes = [state.linkType]
        pcap = state
        statistics.streamBytes = UInt64(Self.pcapFileHeaderLength)
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
        var sec = base.loadUnaligned(as: UInt32.self)
        var frac = base.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        var caplen = base.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        var wirelen = base.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        if pcap.swapped {
            sec = sec.byteSwapped; frac = frac.byteSwapped
            caplen = caplen.byteSwapped; wirelen = wirelen.byteSwapped
        }
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
        let nanos: UInt32 = pcap.nanosecond ? frac : frac &* 1000
        // Out-of-range fractions (corrupt files) are normalised rather than trusted.
        let ts = nanos < 1_000_000_000
            ? CaptureTimestamp(seconds: Int64(sec), nanoseconds: nanos)
            : CaptureTimestamp(seconds: Int64(sec) + Int64(nanos / 1_000_000_000), nanoseconds: nanos % 1_000_000_000)
        let seq = nextSequence
        nextSequence = seq &+ 1
        statistics.packets &+= 1
        statistics.dataBytes &+= UInt64(caplen)
        statistics.streamBytes = UInt64(end)
        return CapturedPacket(
            sequence: seq, timestamp: ts, wireLength: wirelen, linkType: pcap.linkType, interfaceID: 0,
            streamOffset: UInt64(pos),
            bytes: UnsafeRawBufferPointer(rebasing: data[dataStart..<end]))
    }
}
