import CaptureIO
import XCTest

/// `nextBatch`: same packets as `next()`, and a kept batch's bytes survive the
/// reader moving on (its windows are not recycled until it is released).
final class PacketBatchTests: XCTestCase {
    private let plain = PcapBytes.file(packets: (0..<500).map { TestPacket.numbered($0, size: 1 + ($0 * 389) % 1200) })

    private func options(threads: Int) -> ReaderOptions {
        var o = ReaderOptions()
        o.windowSize = 4096
        o.windowCount = 4
        o.decompressionThreads = threads
        return o
    }

    func testBatchesDeliverTheSamePacketsAsNext() throws {
        let want = readAll(plain).packets
        var pcapng = PcapngBytes()
        pcapng.section()
        pcapng.interface()
        for p in (0..<300).map({ TestPacket.numbered($0, size: 1 + ($0 * 389) % 1200) }) {
            pcapng.enhancedPacket(units: UInt64(p.seconds) * 1_000_000, data: p.data)
        }
        let inputs: [(String, [UInt8], Int)] = [
            ("pcap", plain, 1), ("pcapng", pcapng.bytes, 1),
            ("pcap.zst", ZstdBytes.compress(plain), 1),
            ("pcap.zst frames", ZstdBytes.compressFrames(plain, chunkSize: 9_001), 2),
            ("pcapng.zst frames", ZstdBytes.compressFrames(pcapng.bytes, chunkSize: 9_001), 2),
        ]
        for (label, bytes, threads) in inputs {
            let expected = label.hasPrefix("pcapng") ? readAll(pcapng.bytes).packets : want
            try bytes.withUnsafeBytes { raw in
                let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: label), options: options(threads: threads))
                var batch = PacketBatch()
                var got: [PacketCopy] = []
                var batches = 0
                while try reader.nextBatch(into: &batch, maxPackets: 64) > 0 {
                    XCTAssertLessThanOrEqual(batch.count, 64)
                    got += batch.packets.map(PacketCopy.init)
                    batches += 1
                }
                assertSamePackets(got, expected, label)
                XCTAssertGreaterThanOrEqual(batches, expected.count / 64, label)
            }
        }
    }

    func testKeptBatchesSurviveTheReaderMovingOn() throws {
        // Keep every other batch (up to 2 at a time with 4 windows) while reading
        // on: their bytes must still be intact when checked later.
        let want = readAll(plain).packets
        for threads in [1, 2] {
            let zst = threads == 1 ? ZstdBytes.compress(plain) : ZstdBytes.compressFrames(plain, chunkSize: 7_000)
            try zst.withUnsafeBytes { raw in
                let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: "k.zst"), options: options(threads: threads))
                var kept: [PacketBatch] = []
                var seen = 0
                var batch = PacketBatch()
                while try reader.nextBatch(into: &batch, maxPackets: 16) > 0 {
                    seen += batch.count
                    if kept.count < 2 {
                        kept.append(batch)  // a copy: `batch` gets fresh storage next call
                    } else {
                        var oldest = kept.removeFirst()
                        for p in oldest.packets { XCTAssertEqual(PacketCopy(p).bytes, want[Int(p.sequence)].bytes) }
                        oldest.release()
                        kept.append(batch)
                    }
                }
                for b in kept {
                    for p in b.packets { XCTAssertEqual(PacketCopy(p).bytes, want[Int(p.sequence)].bytes) }
                }
                XCTAssertEqual(seen, want.count)
                XCTAssertGreaterThan(reader.statistics.copiedBytes, 0)
            }
        }
    }

    func testBatchStopsBeforeAFaultAndTheNextCallThrows() throws {
        var w = ByteWriter(bigEndian: false)
        w.raw(Array(plain[..<(plain.count - 5)]))  // last record truncated
        try w.bytes.withUnsafeBytes { raw in
            let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: "t.pcap"))
            var batch = PacketBatch()
            var total = 0
            var thrown: CaptureError?
            do throws(CaptureError) {
                while try reader.nextBatch(into: &batch, maxPackets: 1000) > 0 { total += batch.count }
            } catch { thrown = error }
            XCTAssertEqual(total, 499)
            XCTAssertEqual(thrown?.problem, .truncatedRecordData(needed: UInt64(1 + (499 * 389) % 1200), available: UInt64(1 + (499 * 389) % 1200 - 5)))
        }
    }
}
