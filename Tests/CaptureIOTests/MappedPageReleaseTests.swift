#if os(Linux)
import Foundation
import XCTest

@testable import CaptureIO

/// A plain trace is read from a file mapping whose resident pages count towards the
/// process's RSS; the reader hands pages it has walked past back to the kernel, so
/// a replay's memory does not grow with the size of the trace.
final class MappedPageReleaseTests: XCTestCase {
    /// 155 MiB of 65,000-byte records (under the 65,535 snaplen), read in batches: the mapping's resident size stays
    /// near `releaseLag + releaseStep` (64 MiB) instead of reaching the file size,
    /// and every packet is still delivered intact.
    func testWalkedPagesLeaveTheResidentSet() throws {
        let recordData = 65_000
        let records = 2_500
        let url = try temporaryDirectory(self).appendingPathComponent("big.pcap")
        try writeLargePcap(to: url, records: records, recordData: recordData)

        let reader = try CaptureReader(path: url.path)
        var delivered = 0
        let peakResident = try readAll(reader) { packet in
            // The last byte of every record carries its index: the bytes are the right ones.
            XCTAssertEqual(packet.bytes.count, recordData)
            XCTAssertEqual(packet.bytes[recordData - 1], UInt8(truncatingIfNeeded: delivered))
            delivered += 1
        }
        XCTAssertEqual(delivered, records)
        let limit = MappedFile.releaseLag + MappedFile.releaseStep + (8 << 20)
        XCTAssertLessThan(peakResident, limit, "resident pages of the mapping peaked at \(peakResident) bytes")
        // Walked-past pages fault back in (from the page cache) if something still reads them.
        let first = reader.file.bytes[24 + 16]
        XCTAssertEqual(first, 0)
    }

    /// However many packets are asked for, a batch of a mapped file ends once it
    /// spans `maxMappedBatchBytes`, so the batches a threaded replay keeps in flight
    /// stay clear of the pages released behind the reader.
    func testMappedBatchesEndAfterTheirByteBudget() throws {
        let recordData = 60_000
        let records = 300  // 18 MB: several budgets
        let url = try temporaryDirectory(self).appendingPathComponent("budget.pcap")
        try writeLargePcap(to: url, records: records, recordData: recordData)

        let reader = try CaptureReader(path: url.path)
        var batch = PacketBatch()
        var counts: [Int] = []
        while true {
            let count = try reader.nextBatch(into: &batch, maxPackets: 100_000)
            if count == 0 { break }
            counts.append(count)
        }
        let perRecord = 16 + recordData
        let perBudget = (CaptureReader.maxMappedBatchBytes + perRecord - 1) / perRecord
        XCTAssertEqual(counts.reduce(0, +), records)
        XCTAssertGreaterThan(counts.count, 1)
        // The first batch also carries the 24-byte file header in its span.
        XCTAssertTrue(counts.dropLast().allSatisfy { abs($0 - perBudget) <= 1 }, "\(counts), budget \(perBudget) records")
        XCTAssertTrue(counts.allSatisfy { $0 * perRecord <= CaptureReader.maxMappedBatchBytes + perRecord }, "\(counts)")
    }

    /// The compressed mapping of a zstd trace is handed back behind the decoder
    /// too, one frame or many: the frame scan that decides between serial and
    /// parallel decoding reads at most `frameScanLimit` and drops what it read.
    /// 216 MB of incompressible records (a 1 KiB match window keeps zstd from
    /// shrinking the repeated payload), as one frame and as 26 frames on 2 threads.
    /// The bound: the release lag and step, plus what decoders hold ahead of the
    /// consumer (its frame and the next, the window ring), plus fault-around slack;
    /// the frame scan's pages are gone before decoding starts.
    func testZstdCompressedPagesLeaveTheResidentSet() throws {
        let recordData = 60_000
        let records = 3_600
        var generator = SystemRandomNumberGenerator()
        let payload = (0 ..< recordData).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
        var pcap = PcapBytes.file(packets: [])
        pcap.reserveCapacity(24 + records * (16 + recordData))
        for i in 0 ..< records {
            var w = ByteWriter(bigEndian: false)
            w.u32(1_700_000_000 + UInt32(i)); w.u32(0); w.u32(UInt32(recordData)); w.u32(UInt32(recordData))
            pcap += w.bytes
            pcap += payload
        }
        let chunk = 8 << 20
        let frames = stride(from: 0, to: pcap.count, by: chunk).map {
            ZstdBytes.compressStreaming(Array(pcap[$0 ..< min($0 + chunk, pcap.count)]), windowLog: 10)
        }
        let variants: [(String, [UInt8], Int)] = [
            ("one frame", ZstdBytes.compressStreaming(pcap, windowLog: 10), 1),
            ("\(frames.count) frames", frames.reduce([], +), 2),
        ]
        pcap = []
        let options = ReaderOptions()
        let ahead = 2 * chunk + options.windowCount * options.windowSize
        let limit = max(CaptureReader.frameScanLimit, MappedFile.releaseLag + MappedFile.releaseStep + ahead) + (16 << 20)
        for (label, compressed, threads) in variants {
            XCTAssertGreaterThan(compressed.count, limit + limit / 2, "\(label): the file must be well above the bound")
            let url = try temporaryDirectory(self).appendingPathComponent("big-\(threads).pcap.zst")
            try Data(compressed).write(to: url)
            var options = options
            options.decompressionThreads = threads
            let reader = try CaptureReader(path: url.path, options: options)
            XCTAssertEqual(reader.decompressionThreadsInUse, threads, label)
            var delivered = 0
            let peakResident = try readAll(reader) { _ in delivered += 1 }
            XCTAssertEqual(delivered, records, label)
            XCTAssertLessThan(peakResident, limit, "\(label): resident pages of the compressed mapping peaked at \(peakResident) bytes")
        }
    }

    /// Reads every packet in batches of 64, handing each to `check`; returns the
    /// largest resident size of the reader's mapping seen after a batch.
    private func readAll(_ reader: CaptureReader, _ check: (CapturedPacket) -> Void) throws -> Int {
        var batch = PacketBatch()
        var peakResident = 0
        while try reader.nextBatch(into: &batch, maxPackets: 64) > 0 {
            for packet in batch.packets { check(packet) }
            peakResident = max(peakResident, try residentBytes(ofMappingAt: reader.file.bytes.baseAddress!))
        }
        return peakResident
    }

    private func writeLargePcap(to url: URL, records: Int, recordData: Int) throws {
        var header = PcapBytes.file(packets: [])
        header.reserveCapacity(24)
        FileManager.default.createFile(atPath: url.path, contents: Data(header))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        var record = [UInt8](repeating: 0, count: 16 + recordData)
        for i in 0 ..< records {
            var w = ByteWriter(bigEndian: false)
            w.u32(1_700_000_000 + UInt32(i)); w.u32(0); w.u32(UInt32(recordData)); w.u32(UInt32(recordData))
            record.replaceSubrange(0 ..< 16, with: w.bytes)
            record[16 + recordData - 1] = UInt8(truncatingIfNeeded: i)
            try handle.write(contentsOf: record)
        }
    }

    /// The `Rss:` of the mapping containing `address`, from /proc/self/smaps.
    private func residentBytes(ofMappingAt address: UnsafeRawPointer) throws -> Int {
        // Foundation's file reading trusts the (zero) size procfs reports: read to EOF by hand.
        let fd = open("/proc/self/smaps", O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0 ..< n]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let target = UInt(bitPattern: address)
        var inside = false
        for line in text.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
               let start = UInt(line[..<dash], radix: 16),
               let end = UInt(line[line.index(after: dash) ..< space], radix: 16) {
                inside = start <= target && target < end
            } else if inside && line.hasPrefix("Rss:") {
                let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                return kilobytes * 1024
            }
        }
        XCTFail("mapping not found in /proc/self/smaps")
        return 0
    }
}
#endif
