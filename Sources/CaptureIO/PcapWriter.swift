import CPcap

/// Writes a classic pcap file through libpcap (`pcap_dump`), so the output is
/// exactly what libpcap itself produces: host byte order, microsecond or
/// nanosecond magic. For the other byte order or for pcapng, see `CaptureFileWriter`.
///
/// Not `Sendable`: one writer belongs to one thread.
public final class PcapWriter {
    public let path: String
    public let linkType: LinkType
    public let precision: TimestampPrecision
    /// Packets written so far.
    public private(set) var packets: UInt64 = 0

    private let handle: OpaquePointer
    private var dumper: OpaquePointer?

    /// Creates (truncates) `path` and writes the pcap file header.
    /// - Parameters:
    ///   - path: output file.
    ///   - linkType: the file's link type (must have a libpcap DLT).
    ///   - precision: microsecond or nanosecond timestamps.
    ///   - snaplen: snapshot length recorded in the header.
    /// - Throws: `CaptureWriteError` if libpcap cannot open the file or does not know the link type.
    public init(path: String, linkType: LinkType, precision: TimestampPrecision = .micro, snaplen: UInt32 = 262_144) throws(CaptureWriteError) {
        self.path = path
        self.linkType = linkType
        self.precision = precision
        guard let dlt = linkType.libpcapDLT else {
            throw CaptureWriteError(file: path, problem: "libpcap cannot write link type \(linkType)")
        }
        let libpcapPrecision = precision == .nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO
        guard let handle = pcap_open_dead_with_tstamp_precision(dlt, Int32(clamping: snaplen), UInt32(libpcapPrecision)) else {
            throw CaptureWriteError(file: path, problem: "pcap_open_dead failed")
        }
        self.handle = handle
        guard let dumper = pcap_dump_open(handle, path) else {
            // Every stored property is set by now, so deinit runs and closes `handle`.
            throw CaptureWriteError(file: path, problem: String(cString: pcap_geterr(handle)))
        }
        self.dumper = dumper
    }

    deinit {
        if let dumper { pcap_dump_close(dumper) }
        pcap_close(handle)
    }

    /// Appends one record.
    /// - Parameters:
    ///   - timestamp: truncated to the writer's precision.
    ///   - wireLength: the original length on the wire.
    ///   - bytes: the captured bytes (caplen = `bytes.count`).
    /// - Throws: `CaptureWriteError` if the writer is closed or the timestamp does not fit 32-bit seconds.
    public func write(timestamp: CaptureTimestamp, wireLength: UInt32, bytes: UnsafeRawBufferPointer) throws(CaptureWriteError) {
        guard let dumper else { throw CaptureWriteError(file: path, problem: "write after close") }
        guard timestamp.seconds >= 0, timestamp.seconds <= Int64(UInt32.max) else {
            throw CaptureWriteError(file: path, problem: "timestamp \(timestamp.decimalString) does not fit a pcap record")
        }
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(timestamp.seconds)
        // With a nanosecond pcap_t, libpcap stores tv_usec verbatim as nanoseconds.
        header.ts.tv_usec = Int(precision.fraction(of: timestamp))
        header.caplen = UInt32(truncatingIfNeeded: bytes.count)
        header.len = wireLength
        var empty: UInt8 = 0
        if let base = bytes.baseAddress {
            pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, base.assumingMemoryBound(to: UInt8.self))
        } else {
            pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, &empty)
        }
        packets += 1
    }

    /// Appends a packet as read (its timestamp, wire length and captured bytes).
    public func write(_ packet: CapturedPacket) throws(CaptureWriteError) {
        try write(timestamp: packet.timestamp, wireLength: packet.wireLength, bytes: packet.bytes)
    }

    /// Flushes and closes the file. `pcap_dump` reports no errors itself, so a
    /// failed write (disk full) is detected here by the flush.
    public func close() throws(CaptureWriteError) {
        guard let dumper else { return }
        self.dumper = nil
        let flushed = pcap_dump_flush(dumper)
        pcap_dump_close(dumper)
        if flushed != 0 {
            throw CaptureWriteError(file: path, problem: "write failed")
        }
    }
}
