#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes capture files that libpcap cannot: classic pcap in the non-host byte
/// order, and pcapng (libpcap 1.10 reads pcapng but has no public pcapng writer).
/// For host-order classic pcap prefer `PcapWriter`, which is libpcap's own code.
///
/// This exists to produce reader-test variants of the corpora (big-endian files,
/// several interfaces with different `if_tsresol`), so it favours clarity over
/// speed: each record is assembled in a reusable buffer and handed to stdio.
///
/// Not `Sendable`: one writer belongs to one thread.
public final class CaptureFileWriter {
    /// One pcapng interface (for classic pcap: the file's only link type and precision).
    public struct Interface: Sendable, Equatable {
        public var linkType: LinkType
        public var snaplen: UInt32
        public var precision: TimestampPrecision

        public init(linkType: LinkType, snaplen: UInt32 = 262_144, precision: TimestampPrecision = .micro) {
            self.linkType = linkType
            self.snaplen = snaplen
            self.precision = precision
        }
    }

    public let path: String
    public let format: CaptureFormat
    public let byteOrder: CaptureByteOrder
    /// Interfaces described so far (classic pcap: exactly one).
    public private(set) var interfaces: [Interface] = []
    /// Packets written so far.
    public private(set) var packets: UInt64 = 0

    private var stream: UnsafeMutablePointer<FILE>?
    /// Reused for every block so writing allocates only when a packet is larger than any before.
    var scratch: [UInt8] = []

    /// Creates (truncates) a classic pcap file and writes its header.
    /// - Parameters:
    ///   - path: output file.
    ///   - byteOrder: byte order of every header field.
    ///   - interface: link type, snaplen and precision (the magic number).
    /// - Throws: `CaptureWriteError` if the file cannot be created.
    public init(pcapPath path: String, byteOrder: CaptureByteOrder, interface: Interface) throws(CaptureWriteError) {
        self.path = path
        self.format = .pcap
        self.byteOrder = byteOrder
        try open()
        interfaces = [interface]
        writePcapFileHeader(interface)
        try checkStream()
    }

    /// Creates (truncates) a pcapng file with one section header and the given
    /// interfaces (more can be added with `addInterface`).
    /// - Parameters:
    ///   - path: output file.
    ///   - byteOrder: byte order of the section.
    ///   - interfaces: interfaces described right after the section header.
    /// - Throws: `CaptureWriteError` if the file cannot be created.
    public init(pcapngPath path: String, byteOrder: CaptureByteOrder, interfaces: [Interface] = []) throws(CaptureWriteError) {
        self.path = path
        self.format = .pcapng
        self.byteOrder = byteOrder
        try open()
        writeSectionHeaderBlock()
        for interface in interfaces { _ = try addInterface(interface) }
        try checkStream()
    }

    deinit {
        if let stream { fclose(stream) }
    }

    /// Describes one more pcapng interface (an Interface Description Block).
    /// - Returns: the interface id that `write(..., interface:)` takes.
    /// - Throws: `CaptureWriteError` for classic pcap, which has exactly one interface.
    public func addInterface(_ interface: Interface) throws(CaptureWriteError) -> UInt32 {
        guard format == .pcapng else {
            throw CaptureWriteError(file: path, problem: "classic pcap has exactly one link type")
        }
        writeInterfaceDescriptionBlock(interface)
        interfaces.append(interface)
        return UInt32(interfaces.count - 1)
    }

    /// Appends one packet record (pcap record or pcapng Enhanced Packet Block).
    /// - Parameters:
    ///   - timestamp: truncated to the interface's precision.
    ///   - wireLength: the original length.
    ///   - bytes: the captured bytes.
    ///   - interface: pcapng interface id (0 for classic pcap).
    /// - Throws: `CaptureWriteError` for an unknown interface, a timestamp the
    ///   format cannot hold, or a failed write.
    public func write(timestamp: CaptureTimestamp, wireLength: UInt32, bytes: UnsafeRawBufferPointer, interface: UInt32 = 0) throws(CaptureWriteError) {
        guard stream != nil else { throw CaptureWriteError(file: path, problem: "write after close") }
        guard Int(interface) < interfaces.count else {
            throw CaptureWriteError(file: path, problem: "interface \(interface) was never described")
        }
        guard bytes.count <= Int(UInt32.max) - 64 else {
            throw CaptureWriteError(file: path, problem: "packet of \(bytes.count) bytes is too large")
        }
        switch format {
        case .pcap: try writePcapRecord(timestamp: timestamp, wireLength: wireLength, bytes: bytes)
        case .pcapng: try writeEnhancedPacketBlock(timestamp: timestamp, wireLength: wireLength, bytes: bytes, interface: interface)
        }
        packets += 1
    }

    /// Flushes and closes the file, reporting any write error stdio kept to itself.
    public func close() throws(CaptureWriteError) {
        guard let stream else { return }
        self.stream = nil
        let failed = fflush(stream) != 0 || ferror(stream) != 0
        let closeFailed = fclose(stream) != 0
        if failed || closeFailed {
            throw CaptureWriteError(file: path, problem: "write failed: " + String(cString: strerror(errno)))
        }
    }

    // MARK: - Byte-order-aware assembly

    func append(_ value: UInt16) {
        let v = byteOrder == .bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { scratch.append(contentsOf: $0) }
    }

    func append(_ value: UInt32) {
        let v = byteOrder == .bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { scratch.append(contentsOf: $0) }
    }

    func append(_ value: UInt64) {
        let v = byteOrder == .bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { scratch.append(contentsOf: $0) }
    }

    /// Writes `scratch` to the file and empties it (keeping its capacity).
    func flushScratch() throws(CaptureWriteError) {
        let written = scratch.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stream) }
        let expected = scratch.count
        scratch.removeAll(keepingCapacity: true)
        guard written == expected else {
            throw CaptureWriteError(file: path, problem: "write failed: " + String(cString: strerror(errno)))
        }
    }

    private func open() throws(CaptureWriteError) {
        guard let stream = fopen(path, "wb") else {
            throw CaptureWriteError(file: path, problem: "cannot create: " + String(cString: strerror(errno)))
        }
        self.stream = stream
    }

    private func checkStream() throws(CaptureWriteError) {
        try flushScratch()
    }
}
