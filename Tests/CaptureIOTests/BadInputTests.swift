import CaptureIO
import XCTest

/// Corrupt input: every case names file and offset, and every packet before the
/// fault has been delivered. Each case is also read through zstd (offset in the
/// decompressed stream, plus frame) with one and two decoding threads.
final class BadInputTests: XCTestCase {
    private let good = (0..<3).map { TestPacket.numbered($0, size: 50 + $0) }

    /// Reads `bytes` plain and zstd-compressed (one frame, and frames cut every 37
    /// bytes read by 1 and 2 threads); checks the error and the delivered prefix.
    private func check(
        _ bytes: [UInt8], offset: UInt64, delivered: Int, line: UInt = #line,
        _ problem: @escaping (CaptureError.Problem) -> Bool
    ) {
        let plain = readAll(bytes, name: "bad.cap")
        assertError(plain.error, file: "bad.cap", offset: offset, problem, line: line)
        XCTAssertNil(plain.error?.zstdFrame, line: line)
        XCTAssertEqual(plain.packets.count, delivered, "packets before the fault", line: line)

        let variants: [(String, [UInt8], Int)] = [
            ("one frame", ZstdBytes.compress(bytes), 1),
            ("frames, 1 thread", ZstdBytes.compressFrames(bytes, chunkSize: 37), 1),
            ("frames, 2 threads", ZstdBytes.compressFrames(bytes, chunkSize: 37), 2),
        ]
        for (label, zst, threads) in variants {
            var o = ReaderOptions()
            o.decompressionThreads = threads
            o.windowSize = 4096
            o.windowCount = 2
            let z = readAll(zst, name: "bad.cap.zst", options: o)
            assertError(z.error, file: "bad.cap.zst", offset: offset, problem, line: line)
            XCTAssertNotNil(z.error?.zstdFrame, label, line: line)
            XCTAssertTrue(z.error?.description.contains("zstd frame") ?? false, label, line: line)
            assertSamePackets(z.packets, plain.packets, label, line: line)
        }
    }

    private func pcapPrefix() -> ByteWriter {
        var w = ByteWriter(bigEndian: false)
        w.raw(PcapBytes.file(packets: good))
        return w
    }

    private var prefixLength: UInt64 { UInt64(24 + good.reduce(0) { $0 + 16 + $1.data.count }) }

    func testPcapTruncatedRecordHeader() {
        var w = pcapPrefix()
        w.raw([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        check(w.bytes, offset: prefixLength, delivered: 3) { $0 == .truncatedRecordHeader }
    }

    func testPcapTruncatedRecordData() {
        var w = pcapPrefix()
        PcapBytes.record(&w, TestPacket(data: [UInt8](repeating: 7, count: 50)), caplen: 100)
        check(w.bytes, offset: prefixLength, delivered: 3) { $0 == .truncatedRecordData(needed: 100, available: 50) }
    }

    func testPcapAbsurdCaptureLength() {
        var w = pcapPrefix()
        PcapBytes.record(&w, TestPacket(data: [UInt8](repeating: 7, count: 64)), caplen: 300_000)
        check(w.bytes, offset: prefixLength, delivered: 3) { $0 == .absurdCaptureLength(300_000, limit: 262_144) }
    }

    func testPcapTruncatedFileHeader() {
        let bytes = Array(PcapBytes.file(packets: [])[..<20])
        check(bytes, offset: 0, delivered: 0) { $0 == .truncatedFileHeader }
    }

    // MARK: pcapng

    private func pcapngPrefix(bigEndian: Bool = false) -> PcapngBytes {
        var f = PcapngBytes(bigEndian: bigEndian)
        f.section()
        f.interface(linkType: 1)
        for p in good { f.enhancedPacket(units: 1_000_000, data: p.data) }
        return f
    }

    func testPcapngBlockLengthNotMultipleOfFour() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        f.block(type: 6, body: [UInt8](repeating: 0, count: 40), lengthOverride: 50)
        check(f.bytes, offset: at, delivered: 3) { $0 == .badBlockLength(50) }
    }

    func testPcapngBlockLengthBelowMinimum() {
        var f = pcapngPrefix(bigEndian: true)
        let at = UInt64(f.bytes.count)
        f.block(type: 0x99, body: [], lengthOverride: 8)
        check(f.bytes, offset: at, delivered: 3) { $0 == .badBlockLength(8) }
        // An EPB must be at least 32 bytes.
        var g = pcapngPrefix()
        let at2 = UInt64(g.bytes.count)
        g.block(type: 6, body: [0, 0, 0, 0, 0, 0, 0, 0])
        check(g.bytes, offset: at2, delivered: 3) { $0 == .badBlockLength(20) }
    }

    func testPcapngBadTrailer() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        f.block(type: 0x99, body: [1, 2, 3, 4], trailerOverride: 17)
        check(f.bytes, offset: at, delivered: 3) { $0 == .badBlockTrailer(expected: 16, found: 17) }
        var g = pcapngPrefix(bigEndian: true)
        let at2 = UInt64(g.bytes.count)
        let epb = g.body { b in b.u32(0); b.u32(0); b.u32(1); b.u32(4); b.u32(4); b.raw([9, 9, 9, 9]) }
        g.block(type: 6, body: epb, trailerOverride: 0xDEAD)
        check(g.bytes, offset: at2, delivered: 3) { $0 == .badBlockTrailer(expected: 36, found: 0xDEAD) }
    }

    func testPcapngTruncatedBlock() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        f.enhancedPacket(units: 5, data: [UInt8](repeating: 1, count: 200))
        let cut = Array(f.bytes[..<(f.bytes.count - 30)])
        check(cut, offset: at, delivered: 3) { $0 == .truncatedBlock }
        // A skipped block that runs past the end.
        var g = pcapngPrefix()
        let at2 = UInt64(g.bytes.count)
        g.block(type: 0x99, body: [UInt8](repeating: 1, count: 5000))
        check(Array(g.bytes[..<(g.bytes.count - 100)]), offset: at2, delivered: 3) { $0 == .truncatedBlock }
        // Fewer than 8 bytes of block header.
        var h = pcapngPrefix()
        let at3 = UInt64(h.bytes.count)
        h.w.raw([6, 0, 0])
        check(h.bytes, offset: at3, delivered: 3) { $0 == .truncatedBlock }
    }

    func testPcapngUnknownInterface() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        f.enhancedPacket(interface: 1, units: 5, data: [1, 2, 3])
        check(f.bytes, offset: at, delivered: 3) { $0 == .unknownInterface(1) }
        // A new section forgets the previous section's interfaces.
        var g = pcapngPrefix()
        g.section(bigEndian: true)
        let at2 = UInt64(g.bytes.count)
        g.simplePacket(data: [1, 2, 3, 4], wireLength: 4)
        check(g.bytes, offset: at2, delivered: 3) { $0 == .unknownInterface(0) }
    }

    func testPcapngBadByteOrderMagic() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        f.block(type: 0x0A0D_0D0A, body: [0x11, 0x22, 0x33, 0x44, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        check(f.bytes, offset: at, delivered: 3) { if case .badSectionHeader = $0 { true } else { false } }
    }

    func testPcapngCapturedLengthBeyondBlock() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        let epb = f.body { b in b.u32(0); b.u32(0); b.u32(1); b.u32(400); b.u32(400); b.raw([UInt8](repeating: 3, count: 40)) }
        f.block(type: 6, body: epb)
        check(f.bytes, offset: at, delivered: 3) { $0 == .truncatedRecordData(needed: 400, available: 40) }
    }

    func testPcapngAbsurdLengths() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        let epb = f.body { b in b.u32(0); b.u32(0); b.u32(1); b.u32(300_000); b.u32(300_000); b.raw([UInt8](repeating: 3, count: 40)) }
        f.block(type: 6, body: epb)
        check(f.bytes, offset: at, delivered: 3) { $0 == .absurdCaptureLength(300_000, limit: 262_144) }
        // A packet block claiming 2 GiB is refused before anything is buffered.
        var g = pcapngPrefix()
        let at2 = UInt64(g.bytes.count)
        g.block(type: 6, body: [UInt8](repeating: 0, count: 24), lengthOverride: 0x7FFF_FFF0)
        check(g.bytes, offset: at2, delivered: 3) { $0 == .badBlockLength(0x7FFF_FFF0) }
    }

    func testPcapngBadOption() {
        var f = pcapngPrefix()
        let at = UInt64(f.bytes.count)
        let idb = f.body { b in b.u16(1); b.u16(0); b.u32(0); b.u16(9); b.u16(200); b.raw([6, 0, 0, 0]) }
        f.block(type: 1, body: idb)
        f.enhancedPacket(interface: 1, units: 1, data: [1])
        check(f.bytes, offset: at, delivered: 3) { if case .badOption = $0 { true } else { false } }
    }

    func testPcapngFirstBlockMustBeSectionHeader() {
        var f = PcapngBytes()
        f.section()
        var bytes = f.bytes
        bytes[8] = 0  // damage the byte-order magic
        check(bytes, offset: 0, delivered: 0) { if case .badSectionHeader = $0 { true } else { false } }
    }
}
