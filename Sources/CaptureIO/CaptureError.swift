/// Why reading a capture stopped. Always carries the file and the byte offset so
/// a user can find the fault with `xxd -s OFFSET`.
public struct CaptureError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Problem: Sendable, Equatable {
        case cannotOpen(String)
        case unknownMagic(UInt32)
        case truncatedFileHeader
        case truncatedRecordHeader
        case truncatedRecordData(needed: UInt64, available: UInt64)
        case absurdCaptureLength(UInt32, limit: UInt32)
        case badBlockLength(UInt32)
        case badBlockTrailer(expected: UInt32, found: UInt32)
        case truncatedBlock
        case badSectionHeader(String)
        case unknownInterface(UInt32)
        case badOption(String)
        case zstd(String)
        case other(String)
    }

    /// The file being read.
    public var file: String
    /// Byte offset of the fault in the (decompressed, for zstd) byte stream.
    public var offset: UInt64
    /// For zstd input: the index (0-based) of the frame being decompressed and the
    /// offset of that frame in the compressed file.
    public var zstdFrame: (index: Int, compressedOffset: UInt64)?
    public var problem: Problem

    public init(file: String, offset: UInt64, zstdFrame: (index: Int, compressedOffset: UInt64)? = nil, problem: Problem) {
        self.file = file
        self.offset = offset
        self.zstdFrame = zstdFrame
        self.problem = problem
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.file == b.file && a.offset == b.offset && a.problem == b.problem
            && a.zstdFrame?.index == b.zstdFrame?.index
            && a.zstdFrame?.compressedOffset == b.zstdFrame?.compressedOffset
    }

    public var problemText: String {
        switch problem {
        case .cannotOpen(let why): return "cannot open: \(why)"
        case .unknownMagic(let m): return "not a pcap, pcapng or zstd file (magic 0x\(String(m, radix: 16)))"
        case .truncatedFileHeader: return "truncated file header"
        case .truncatedRecordHeader: return "truncated record header"
        case .truncatedRecordData(let needed, let available):
            return "truncated record: \(needed) bytes of packet data announced, \(available) present"
        case .absurdCaptureLength(let len, let limit): return "absurd capture length \(len) (limit \(limit))"
        case .badBlockLength(let len): return "bad block length \(len)"
        case .badBlockTrailer(let expected, let found):
            return "bad block trailer: total length \(found), header said \(expected)"
        case .truncatedBlock: return "truncated block"
        case .badSectionHeader(let why): return "bad section header: \(why)"
        case .unknownInterface(let id): return "packet names interface \(id), which was never described"
        case .badOption(let why): return "bad option: \(why)"
        case .zstd(let why): return "corrupt zstd data: \(why)"
        case .other(let why): return why
        }
    }

    public var description: String {
        var where_ = "\(file): byte offset \(offset)"
        if let z = zstdFrame {
            where_ += " of the decompressed stream (zstd frame \(z.index) at compressed offset \(z.compressedOffset))"
        }
        return where_ + ": " + problemText
    }
}
