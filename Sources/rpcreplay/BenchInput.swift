#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBaselines
import CaptureIO

/// One file prepared for `bench`: what it is, and where its uncompressed byte
/// stream lives (the file itself, or a temporary decompressed copy of a zstd
/// file, so that libpcap and the memory walk can run over the same stream the
/// reader decodes).
struct BenchInput {
    enum Container: String, Codable {
        case pcap, pcapng, zstd, unknown
    }

    let path: String
    let container: Container
    let fileBytes: UInt64
    /// Data and skippable frames of a zstd file (nil for plain files).
    let zstdFrames: Int?
    /// Path of the uncompressed stream, or nil if it could not be produced.
    let streamPath: String?
    let streamBytes: UInt64
    /// Container of the uncompressed stream (the zstd payload's own magic).
    let streamContainer: Container
    /// Set when we made `streamPath` and must delete it.
    private let ownsStream: Bool

    var isMultiFrameZstd: Bool { (zstdFrames ?? 0) > 1 }

    /// Maps `path`, reads it once (page cache warm-up), and for zstd input writes
    /// the decompressed copy to a temporary file.
    init(path: String) throws {
        self.path = path
        let file = try MappedFile(path: path)
        fileBytes = UInt64(file.bytes.count)
        container = Self.sniff(file.bytes)
        // Warm-up: every measurement then starts from the page cache, as the
        // same-run comparison assumes.
        _ = rr_memory_walk(file.bytes.baseAddress, file.bytes.count)
        guard container == .zstd else {
            zstdFrames = nil
            streamPath = path
            streamBytes = fileBytes
            streamContainer = container
            ownsStream = false
            return
        }
        let frames = rr_zstd_frame_count(file.bytes.baseAddress, file.bytes.count)
        zstdFrames = frames >= 0 ? Int(frames) : nil
        var template = Array((Self.temporaryDirectory + "/rpcreplay-bench-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw BenchFailure("\(path): cannot create a temporary file in \(Self.temporaryDirectory)")
        }
        let tempPath = template.withUnsafeBufferPointer { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let written = rr_zstd_decompress_to_fd(file.bytes.baseAddress, file.bytes.count, fd)
        close(fd)
        guard written >= 0 else {
            unlink(tempPath)
            throw BenchFailure("\(path): corrupt zstd data (raw libzstd could not decompress it)")
        }
        streamPath = tempPath
        streamBytes = UInt64(written)
        ownsStream = true
        let stream = try MappedFile(path: tempPath)
        streamContainer = Self.sniff(stream.bytes)
    }

    /// Removes the temporary decompressed copy, if any.
    func cleanUp() {
        if ownsStream, let streamPath { unlink(streamPath) }
    }

    /// Container by magic number, never by name (as the reader decides).
    static func sniff(_ bytes: UnsafeRawBufferPointer) -> Container {
        guard bytes.count >= 4 else { return .unknown }
        switch UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)) {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: return .pcap
        case 0x0A0D_0D0A: return .pcapng
        case 0xFD2F_B528: return .zstd
        case let m where m & 0xFFFF_FFF0 == 0x184D_2A50: return .zstd  // skippable frame first
        default: return .unknown
        }
    }

    static var temporaryDirectory: String {
        if let dir = getenv("TMPDIR"), dir.pointee != 0 { return String(cString: dir) }
        return "/tmp"
    }
}

/// A bench problem worth a message but not a crash.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
