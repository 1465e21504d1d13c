#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why synthesis failed (only I/O can fail).
public struct CorpusSynthError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

/// A classic pcap file written through one large reusable buffer.
///
/// Frames are assembled in place inside the buffer (no per-packet copy or
/// allocation) and the buffer goes to the file with `write(2)` when full, so memory
/// stays at one buffer whatever the output size. Host byte order with the
/// microsecond magic, like libpcap's own writer.
final class SynthOutput {
    static let fileHeaderBytes = 24
    static let recordHeaderBytes = 16
    static let linkTypeEthernet: UInt32 = 1
    static let snaplen: UInt32 = 65_535

    let path: String
    private let fd: Int32
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    /// Bytes handed to the file or waiting in the buffer (headers included).
    private(set) var fileBytes: UInt64 = 0
    private(set) var packets: UInt64 = 0

    init(path: String, bufferBytes: Int = 4 << 20) throws(CorpusSynthError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CorpusSynthError(file: path, problem: String(cString: strerror(errno))) }
        capacity = bufferBytes
        buffer = .allocate(byteCount: bufferBytes, alignment: 16)
        let header = buffer
        header.storeBytes(of: UInt32(0xA1B2_C3D4), toByteOffset: 0, as: UInt32.self)
        header.storeBytes(of: UInt16(2), toByteOffset: 4, as: UInt16.self)
        header.storeBytes(of: UInt16(4), toByteOffset: 6, as: UInt16.self)
        header.storeBytes(of: Int32(0), toByteOffset: 8, as: Int32.self)  // thiszone
        header.storeBytes(of: UInt32(0), toByteOffset: 12, as: UInt32.self)  // sigfigs
        header.storeBytes(of: Self.snaplen, toByteOffset: 16, as: UInt32.self)
        header.storeBytes(of: Self.linkTypeEthernet, toByteOffset: 20, as: UInt32.self)
        used = Self.fileHeaderBytes
        fileBytes = UInt64(Self.fileHeaderBytes)
    }

    deinit {
        buffer.deallocate()
        if !closed { close(fd) }
    }

    /// Space for one frame of at most `maxFrameBytes`, flushing first if needed.
    /// - Returns: where the frame (after its record header) is to be written.
    @inline(__always)
    func frameSpace(maxFrameBytes: Int) throws(CorpusSynthError) -> UnsafeMutableRawPointer {
        if used + Self.recordHeaderBytes + maxFrameBytes > capacity { try flush() }
        return buffer + used + Self.recordHeaderBytes
    }

    /// Commits the frame written at the last `frameSpace` with its record header.
    @inline(__always)
    func commitFrame(length: Int, microseconds: UInt64) {
        let record = buffer + used
        record.storeBytes(of: UInt32(truncatingIfNeeded: microseconds / 1_000_000), toByteOffset: 0, as: UInt32.self)
        record.storeBytes(of: UInt32(truncatingIfNeeded: microseconds % 1_000_000), toByteOffset: 4, as: UInt32.self)
        record.storeBytes(of: UInt32(length), toByteOffset: 8, as: UInt32.self)
        record.storeBytes(of: UInt32(length), toByteOffset: 12, as: UInt32.self)
        let total = Self.recordHeaderBytes + length
        used += total
        fileBytes += UInt64(total)
        packets += 1
    }

    func flush() throws(CorpusSynthError) {
        var offset = 0
        while offset < used {
            let n = write(fd, buffer + offset, used - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw CorpusSynthError(file: path, problem: String(cString: strerror(errno)))
            }
            offset += n
        }
        used = 0
    }

    func finish() throws(CorpusSynthError) {
        try flush()
        // Marked closed before checking: after a failed close(2) the descriptor is
        // released all the same, and closing it again could hit a reused number.
        closed = true
        guard close(fd) == 0 else { throw CorpusSynthError(file: path, problem: String(cString: strerror(errno))) }
    }

    private var closed = false
}
