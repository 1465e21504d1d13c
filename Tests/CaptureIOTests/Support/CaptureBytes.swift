import CZstd
import Foundation

/// Test-only writer of capture files, built in memory so every test states the
/// exact bytes it reads (no fixtures).
struct ByteWriter {
    var bytes: [UInt8] = []
    var bigEndian: Bool

    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { append(bigEndian ? v.bigEndian : v.littleEndian) }
    mutating func u32(_ v: UInt32) { append(bigEndian ? v.bigEndian : v.littleEndian) }
    mutating func u64(_ v: UInt64) { append(bigEndian ? v.bigEndian : v.littleEndian) }
    mutating func raw(_ b: [UInt8]) { bytes += b }
    mutating func pad4() { while bytes.count % 4 != 0 { bytes.append(0) } }

    private mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { bytes += $0 }
    }
}

/// A packet to write: timestamp in the file's own units, data, original length.
struct TestPacket: Equatable {
    var seconds: UInt32 = 0
    var fraction: UInt32 = 0
    var data: [UInt8]
    var wireLength: UInt32? = nil

    /// Deterministic filler so every packet's bytes differ.
    static func numbered(_ i: Int, size: Int) -> TestPacket {
        TestPacket(
            seconds: 1_700_000_000 + UInt32(i), fraction: UInt32(i * 7 % 1000),
            data: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i &* 17) }, wireLength: UInt32(size + i % 3))
    }
}

enum PcapBytes {
    /// A classic pcap file.
    static func file(
        nanosecond: Bool = false, bigEndian: Bool = false, linkType: UInt32 = 1, snaplen: UInt32 = 65535,
        packets: [TestPacket]
    ) -> [UInt8] {
        var w = ByteWriter(bigEndian: bigEndian)
        w.u32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4)
        w.u16(2); w.u16(4)
        w.u32(0); w.u32(0)
        w.u32(snaplen); w.u32(linkType)
        for p in packets { record(&w, p) }
        return w.bytes
    }

    static func record(_ w: inout ByteWriter, _ p: TestPacket, caplen: UInt32? = nil) {
        w.u32(p.seconds); w.u32(p.fraction)
        w.u32(caplen ?? UInt32(p.data.count)); w.u32(p.wireLength ?? UInt32(p.data.count))
        w.raw(p.data)
    }
}

/// pcapng writer: call the block methods in file order.
struct PcapngBytes {
    var w: ByteWriter
    init(bigEndian: Bool = false) { w = ByteWriter(bigEndian: bigEndian) }
    var bytes: [UInt8] { w.bytes }

    /// Writes one block: type, total length, body (padded), options, trailer.
    mutating func block(type: UInt32, body: [UInt8], trailerOverride: UInt32? = nil, lengthOverride: UInt32? = nil) {
        var b = body
        while b.count % 4 != 0 { b.append(0) }
        let total = UInt32(12 + b.count)
        w.u32(type); w.u32(lengthOverride ?? total); w.raw(b); w.u32(trailerOverride ?? total)
    }

    /// Body bytes written in this section's byte order.
    func body(_ fill: (inout ByteWriter) -> Void) -> [UInt8] {
        var b = ByteWriter(bigEndian: w.bigEndian)
        fill(&b)
        return b.bytes
    }

    /// Starts a section in `bigEndian` order (a file may mix orders across sections).
    mutating func section(bigEndian: Bool? = nil, options: [UInt8] = []) {
        if let bigEndian { w.bigEndian = bigEndian }
        let b = body { b in
            b.u32(0x1A2B_3C4D); b.u16(1); b.u16(0); b.u64(UInt64.max)
            b.raw(options)
        }
        block(type: 0x0A0D_0D0A, body: b)
    }

    mutating func interface(linkType: UInt16 = 1, snaplen: UInt32 = 0, tsresol: UInt8? = nil, tsoffset: Int64? = nil) {
        let b = body { b in
            b.u16(linkType); b.u16(0); b.u32(snaplen)
            b.u16(2); b.u16(4); b.raw(Array("eth0".utf8))  // if_name, ignored
            if let tsresol { b.u16(9); b.u16(1); b.u8(tsresol); b.pad4() }
            if let tsoffset { b.u16(14); b.u16(8); b.u64(UInt64(bitPattern: tsoffset)) }
            b.u16(0); b.u16(0)
        }
        block(type: 1, body: b)
    }

    mutating func enhancedPacket(interface: UInt32 = 0, units: UInt64, data: [UInt8], wireLength: UInt32? = nil, withOptions: Bool = true) {
        let b = body { b in
            b.u32(interface); b.u32(UInt32(units >> 32)); b.u32(UInt32(truncatingIfNeeded: units))
            b.u32(UInt32(data.count)); b.u32(wireLength ?? UInt32(data.count))
            b.raw(data); b.pad4()
            if withOptions { b.u16(1); b.u16(5); b.raw(Array("hello".utf8)); b.pad4(); b.u16(0); b.u16(0) }  // opt_comment
        }
        block(type: 6, body: b)
    }

    mutating func simplePacket(data: [UInt8], wireLength: UInt32) {
        let b = body { b in b.u32(wireLength); b.raw(data) }
        block(type: 3, body: b)
    }

    mutating func obsoletePacket(interface: UInt16 = 0, units: UInt64, data: [UInt8], wireLength: UInt32? = nil) {
        let b = body { b in
            b.u16(interface); b.u16(0); b.u32(UInt32(units >> 32)); b.u32(UInt32(truncatingIfNeeded: units))
            b.u32(UInt32(data.count)); b.u32(wireLength ?? UInt32(data.count)); b.raw(data)
        }
        block(type: 2, body: b)
    }
}

enum ZstdBytes {
    /// One frame (with a content checksum when `checksum`).
    static func compress(_ input: [UInt8], level: Int32 = 3, checksum: Bool = false) -> [UInt8] {
        guard let ctx = ZSTD_createCCtx() else { fatalError("no zstd context") }
        defer { ZSTD_freeCCtx(ctx) }
        _ = ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level)
        _ = ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, checksum ? 1 : 0)
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let n = out.withUnsafeMutableBytes { o in
            input.withUnsafeBytes { i in ZSTD_compress2(ctx, o.baseAddress, o.count, i.baseAddress, i.count) }
        }
        precondition(ZSTD_isError(n) == 0, "ZSTD_compress2 failed")
        return Array(out[..<n])
    }

    /// Independent frames, one per `chunkSize` bytes of input (cuts ignore record boundaries).
    static func compressFrames(_ input: [UInt8], chunkSize: Int, checksum: Bool = false) -> [UInt8] {
        frames(input, chunkSize: chunkSize, checksum: checksum).reduce([], +)
    }

    /// The frames of `compressFrames`, separately (tests corrupt one of them).
    static func frames(_ input: [UInt8], chunkSize: Int, checksum: Bool = false) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var at = 0
        while at < input.count {
            let end = min(at + chunkSize, input.count)
            out.append(compress(Array(input[at..<end]), checksum: checksum))
            at = end
        }
        return out
    }

    static func skippableFrame(_ payload: [UInt8], magicNibble: UInt8 = 0) -> [UInt8] {
        var w = ByteWriter(bigEndian: false)
        w.u32(0x184D_2A50 | UInt32(magicNibble & 0xF)); w.u32(UInt32(payload.count)); w.raw(payload)
        return w.bytes
    }

    /// Whole-stream decompression (for comparing with libpcap on a temp file).
    static func decompress(_ input: [UInt8]) -> [UInt8] {
        guard let ctx = ZSTD_createDCtx() else { fatalError("no zstd context") }
        defer { ZSTD_freeDCtx(ctx) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        input.withUnsafeBytes { i in
            var inBuf = ZSTD_inBuffer(src: i.baseAddress, size: i.count, pos: 0)
            while true {
                let (produced, hint): (Int, Int) = chunk.withUnsafeMutableBytes { c in
                    var outBuf = ZSTD_outBuffer(dst: c.baseAddress, size: c.count, pos: 0)
                    let r = ZSTD_decompressStream(ctx, &outBuf, &inBuf)
                    precondition(ZSTD_isError(r) == 0, "corrupt test input")
                    return (outBuf.pos, r)
                }
                out += chunk[..<produced]
                if inBuf.pos == inBuf.size && produced < chunk.count && (hint == 0 || produced == 0) { break }
            }
        }
        return out
    }
}

extension ZstdBytes {
    /// One frame written by the streaming API with an explicit window log and no
    /// declared content size, so the frame header carries a window descriptor.
    static func compressStreaming(_ input: [UInt8], windowLog: Int32) -> [UInt8] {
        guard let ctx = ZSTD_createCCtx() else { fatalError("no zstd context") }
        defer { ZSTD_freeCCtx(ctx) }
        _ = ZSTD_CCtx_setParameter(ctx, ZSTD_c_windowLog, windowLog)
        _ = ZSTD_CCtx_setParameter(ctx, ZSTD_c_contentSizeFlag, 0)
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count) + 1024)
        let n: Int = out.withUnsafeMutableBytes { o in
            input.withUnsafeBytes { i in
                var inBuf = ZSTD_inBuffer(src: i.baseAddress, size: i.count, pos: 0)
                var outBuf = ZSTD_outBuffer(dst: o.baseAddress, size: o.count, pos: 0)
                while true {
                    let r = ZSTD_compressStream2(ctx, &outBuf, &inBuf, ZSTD_e_end)
                    precondition(ZSTD_isError(r) == 0)
                    if r == 0 { break }
                }
                return outBuf.pos
            }
        }
        return Array(out[..<n])
    }
}
