import CBaselines
import CaptureIO
import Foundation
import XCTest

/// The C baselines are only worth comparing against if they do the same work
/// as the reader: same packets, same bytes, and honest failures.
final class BaselinesTests: XCTestCase {
    private static let corpora = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora")

    private func corpus(_ name: String) -> String { Self.corpora.appendingPathComponent(name).path }

    private func readerTotals(_ path: String) throws -> (packets: UInt64, captured: UInt64) {
        let reader = try CaptureReader(path: path)
        var packets: UInt64 = 0
        var captured: UInt64 = 0
        while let packet = try reader.next() {
            packets += 1
            captured += UInt64(packet.bytes.count)
        }
        return (packets, captured)
    }

    func testPcapLoopSeesWhatTheReaderSees() throws {
        for name in ["zeek-nfs-write/trace.pcap", "rpcbind-v2-tcp-framing/trace.pcap", "synth-nasty/trace.pcap"] {
            let path = corpus(name)
            let expected = try readerTotals(path)
            var message = [CChar](repeating: 0, count: 256)
            let result = rr_pcap_loop(path, 1, &message, message.count)
            XCTAssertEqual(result.status, 0, name)
            XCTAssertEqual(result.packets, expected.packets, name)
            XCTAssertEqual(result.captured_bytes, expected.captured, name)
            XCTAssertGreaterThan(result.packets, 0, name)
        }
    }

    func testPcapLoopTouchesFirstBytesOnlyWhenAsked() throws {
        let path = corpus("zeek-nfs-write/trace.pcap")
        let reader = try CaptureReader(path: path)
        var firstBytes: UInt64 = 0
        while let packet = try reader.next() { firstBytes += UInt64(packet.bytes.first ?? 0) }
        XCTAssertEqual(rr_pcap_loop(path, 1, nil, 0).touched, firstBytes)
        XCTAssertEqual(rr_pcap_loop(path, 0, nil, 0).touched, 0)
    }

    func testPcapLoopReportsAMissingFile() {
        var message = [CChar](repeating: 0, count: 256)
        let result = rr_pcap_loop("/nonexistent/capture.pcap", 0, &message, message.count)
        XCTAssertEqual(result.status, -1)
        XCTAssertEqual(result.packets, 0)
        let text = message.withUnsafeBufferPointer { String(decoding: $0.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        XCTAssertFalse(text.isEmpty)
    }

    func testZstdDecompressionCountsEveryByteAndRejectsDamage() throws {
        let compressed = try Data(contentsOf: Self.corpora.appendingPathComponent("synth-mix-small/trace.pcap.zst"))
        // The decompressed copy, written through the same loop, is a pcap of the announced size.
        let tempPath = FileManager.default.temporaryDirectory.appendingPathComponent("rr-baseline-\(getpid()).pcap").path
        let fd = open(tempPath, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let written = compressed.withUnsafeBytes { rr_zstd_decompress_to_fd($0.baseAddress, $0.count, fd) }
        close(fd)
        defer { unlink(tempPath) }
        let plain = try Data(contentsOf: URL(fileURLWithPath: tempPath))
        XCTAssertEqual(written, Int64(plain.count))
        XCTAssertGreaterThan(plain.count, compressed.count)
        XCTAssertEqual(try readerTotals(tempPath).packets, rr_pcap_loop(tempPath, 0, nil, 0).packets)

        compressed.withUnsafeBytes { bytes in
            XCTAssertEqual(rr_zstd_decompress(bytes.baseAddress, bytes.count), Int64(plain.count))
            XCTAssertEqual(rr_zstd_frame_count(bytes.baseAddress, bytes.count), 1)
            // A file cut short is corrupt, not a shorter stream.
            XCTAssertEqual(rr_zstd_decompress(bytes.baseAddress, bytes.count - 100), -1)
            XCTAssertEqual(rr_zstd_frame_count(bytes.baseAddress, bytes.count - 100), -1)
            XCTAssertEqual(rr_zstd_decompress(bytes.baseAddress, 0), -1)
        }
        // Concatenated frames decompress as one stream, as the zstd tool does.
        let twice = compressed + compressed
        twice.withUnsafeBytes { bytes in
            XCTAssertEqual(rr_zstd_decompress(bytes.baseAddress, bytes.count), Int64(2 * plain.count))
            XCTAssertEqual(rr_zstd_frame_count(bytes.baseAddress, bytes.count), 2)
        }
        let garbage = Data(repeating: 0x5A, count: 4096)
        garbage.withUnsafeBytes { bytes in
            XCTAssertEqual(rr_zstd_decompress(bytes.baseAddress, bytes.count), -1)
            XCTAssertEqual(rr_zstd_frame_count(bytes.baseAddress, bytes.count), -1)
        }
        XCTAssertEqual(garbage.withUnsafeBytes { rr_zstd_decompress_to_fd($0.baseAddress, $0.count, -1) }, -1)
    }

    /// A zstd frame of one raw (stored) block: `size` bytes of content, built by
    /// hand from RFC 8878 so its decompressed size is exactly what we choose.
    private func storedFrame(size: Int) -> Data {
        var frame = Data([0x28, 0xB5, 0x2F, 0xFD, 0xA0])  // magic; single segment, 4-byte content size
        withUnsafeBytes(of: UInt32(size).littleEndian) { frame.append(contentsOf: $0) }
        let header = UInt32(1) | UInt32(size) << 3  // last block, raw, size
        frame.append(contentsOf: [UInt8(header & 0xFF), UInt8(header >> 8 & 0xFF), UInt8(header >> 16 & 0xFF)])
        frame.append(Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        return frame
    }

    func testFramesEndingOnAnOutputBufferBoundaryAreComplete() {
        // 128 KiB is ZSTD_DStreamOutSize(): the last call fills the buffer exactly.
        let frame = storedFrame(size: 128 << 10)
        frame.withUnsafeBytes { XCTAssertEqual(rr_zstd_decompress($0.baseAddress, $0.count), 128 << 10) }
        let two = frame + frame
        two.withUnsafeBytes { bytes in
            XCTAssertEqual(rr_zstd_decompress(bytes.baseAddress, bytes.count), 256 << 10)
            XCTAssertEqual(rr_zstd_decompress_parallel(bytes.baseAddress, bytes.count, 2), 256 << 10)
        }
        let odd = storedFrame(size: 1000)
        odd.withUnsafeBytes { XCTAssertEqual(rr_zstd_decompress($0.baseAddress, $0.count), 1000) }
        // Cut inside the block: truncated, not a shorter frame.
        frame.prefix(frame.count - 1).withUnsafeBytes { XCTAssertEqual(rr_zstd_decompress($0.baseAddress, $0.count), -1) }
    }

    func testParallelZstdDecompressionSplitsFramesAcrossThreads() throws {
        let compressed = try Data(contentsOf: Self.corpora.appendingPathComponent("synth-mix-small/trace.pcap.zst"))
        let single = compressed.withUnsafeBytes { rr_zstd_decompress($0.baseAddress, $0.count) }
        XCTAssertGreaterThan(single, 0)
        // Three independent frames: every thread count must produce all of them once.
        let three = compressed + compressed + compressed
        for threads in [1, 2, 3, 5] as [Int32] {
            let produced = three.withUnsafeBytes { rr_zstd_decompress_parallel($0.baseAddress, $0.count, threads) }
            XCTAssertEqual(produced, 3 * single, "threads \(threads)")
        }
        // A damaged frame fails the whole run, whichever thread decodes it.
        var damaged = three
        damaged.removeLast(100)
        XCTAssertEqual(damaged.withUnsafeBytes { rr_zstd_decompress_parallel($0.baseAddress, $0.count, 2) }, -1)
        var flipped = three
        flipped[compressed.count + compressed.count / 2] ^= 0xFF
        XCTAssertEqual(flipped.withUnsafeBytes { rr_zstd_decompress_parallel($0.baseAddress, $0.count, 2) }, -1)
    }

    func testMemoryWalkReadsOneWordPerCacheLine() {
        var buffer = [UInt64](repeating: 0xFFFF, count: 40)  // 320 bytes: lines at 0, 64, ..., 256
        var expected: UInt64 = 0
        for line in 0..<5 {
            buffer[line * 8] = UInt64(line + 1) * 1000
            expected += UInt64(line + 1) * 1000
        }
        XCTAssertEqual(buffer.withUnsafeBytes { rr_memory_walk($0.baseAddress, $0.count) }, expected)
        // A last line shorter than one word is not read past the end.
        XCTAssertEqual(buffer.withUnsafeBytes { rr_memory_walk($0.baseAddress, 256 + 7) }, expected - 5000)
    }

    func testMemcpyChunksCopiesEverythingThroughTheWindow() {
        let source = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var window = [UInt8](repeating: 0, count: 300)
        let sum = source.withUnsafeBytes { src in
            window.withUnsafeMutableBytes { rr_memcpy_chunks(src.baseAddress, src.count, $0.baseAddress, $0.count) }
        }
        // Chunks start at 0, 300, 600, 900; the last (100 bytes) is left at the window's start.
        XCTAssertEqual(sum, [0, 300, 600, 900].reduce(0) { $0 + UInt64(source[$1]) })
        XCTAssertEqual(Array(window[0..<100]), Array(source[900..<1000]))
        XCTAssertEqual(Array(window[100..<300]), Array(source[700..<900]))
    }
}
