import CaptureIO
import XCTest

/// zstd input: single and multi-frame, window ring straddles, skippable frames.
final class ZstdReaderTests: XCTestCase {
    /// A pcap of `count` packets whose sizes vary from 1 to ~`maxSize` bytes.
    private func samplePcap(count: Int, maxSize: Int = 1500, nanosecond: Bool = false) -> [UInt8] {
        PcapBytes.file(
            nanosecond: nanosecond,
            packets: (0..<count).map { TestPacket.numbered($0, size: 1 + ($0 * 7919) % maxSize) })
    }

    private func samplePcapng(count: Int) -> [UInt8] {
        var f = PcapngBytes(bigEndian: true)
        f.section()
        f.interface(linkType: 1, tsresol: 9)
        f.interface(linkType: 101)
        for i in 0..<count {
            let p = TestPacket.numbered(i, size: 1 + (i * 4099) % 1400)
            if i % 10 == 3 { f.block(type: 5, body: [UInt8](repeating: 0, count: 28)) }
            f.enhancedPacket(interface: UInt32(i % 2), units: 1_700_000_000_000_000 + UInt64(i) * 1_234_567, data: p.data)
        }
        return f.bytes
    }

    private func options(window: Int = 4 << 20, count: Int = 4, threads: Int = 1) -> ReaderOptions {
        var o = ReaderOptions()
        o.windowSize = window
        o.windowCount = count
        o.decompressionThreads = threads
        return o
    }

    func testSingleFrameEqualsPlainRead() {
        for plain in [samplePcap(count: 300), samplePcapng(count: 300)] {
            let want = readAll(plain)
            XCTAssertNil(want.error)
            let out = readAll(ZstdBytes.compress(plain), name: "t.zst")
            XCTAssertNil(out.error)
            XCTAssertEqual(out.compression, .zstd)
            XCTAssertEqual(out.format, want.format)
            XCTAssertEqual(out.byteOrder, want.byteOrder)
            XCTAssertEqual(out.linkTypes, want.linkTypes)
            assertSamePackets(out.packets, want.packets)
            XCTAssertEqual(out.statistics.zstdFrames, 1)
            XCTAssertEqual(out.statistics.copiedBytes, 0, "one 4 MiB window holds the whole stream")
            XCTAssertEqual(out.statistics.streamBytes, UInt64(plain.count))
            XCTAssertEqual(out.statistics.skippedBlocks, want.statistics.skippedBlocks)
        }
    }

    func testSmallWindowsCopyOnlyStraddlingRecords() {
        for plain in [samplePcap(count: 400), samplePcapng(count: 400)] {
            let want = readAll(plain)
            for count in [1, 2, 3] {
                let out = readAll(ZstdBytes.compress(plain), name: "t.zst", options: options(window: 4096, count: count))
                XCTAssertNil(out.error)
                assertSamePackets(out.packets, want.packets, "windowCount \(count)")
                XCTAssertGreaterThan(out.statistics.copiedBytes, 0)
                // Only straddlers are copied: at most one record's worth per window boundary.
                let boundaries = UInt64(plain.count / 4096)
                XCTAssertLessThanOrEqual(out.statistics.copiedBytes, boundaries * 1600)
                XCTAssertEqual(out.statistics.windowsFilled, (plain.count + 4095) / 4096)
            }
        }
    }

    func testRecordLargerThanSeveralWindows() {
        // 20 KiB packets with 4 KiB windows: each record spans up to 6 windows.
        let plain = PcapBytes.file(packets: (0..<20).map { TestPacket.numbered($0, size: 20_000 + $0) })
        let out = readAll(ZstdBytes.compress(plain), options: options(window: 4096, count: 2))
        XCTAssertNil(out.error)
        assertSamePackets(out.packets, readAll(plain).packets)
        XCTAssertGreaterThanOrEqual(out.statistics.copiedBytes, 20 * 20_000 - 20 * 4096)
    }

    func testMultiFrameWithOneAndTwoThreadsGivesIdenticalPackets() {
        let plain = samplePcap(count: 3000)
        // Frame cuts every 10_007 bytes: never on record boundaries.
        let zst = ZstdBytes.compressFrames(plain, chunkSize: 10_007)
        let want = readAll(plain)
        var results: [ReadOutcome] = []
        for threads in [1, 2, 3] {
            for window in [4096, 64 << 10] {
                let out = readAll(zst, options: options(window: window, count: 4, threads: threads))
                XCTAssertNil(out.error, "threads \(threads)")
                assertSamePackets(out.packets, want.packets, "threads \(threads) window \(window)")
                XCTAssertEqual(out.statistics.zstdFrames, (plain.count + 10_006) / 10_007)
                XCTAssertGreaterThan(out.statistics.copiedBytes, 0, "frames end mid-record")
                results.append(out)
            }
        }
        // The window layout follows frames, not threads: same copies whatever the thread count.
        XCTAssertEqual(results[0].statistics, results[2].statistics)
        XCTAssertEqual(results[1].statistics, results[3].statistics)
        XCTAssertEqual(results[0].statistics, results[4].statistics)
    }

    func testFrameCountsNotAMultipleOfTheThreadCount() {
        // Frames are dealt round-robin to the threads (the reading one included):
        // every split, including threads left without any frame, gives the packets
        // and statistics of a one-thread read.
        let plain = samplePcap(count: 1200)
        for frames in 2...5 {
            let zst = ZstdBytes.compressFrames(plain, chunkSize: (plain.count + frames - 1) / frames)
            let serial = readAll(zst, options: options(window: 4096, count: 6, threads: 1))
            XCTAssertNil(serial.error)
            XCTAssertEqual(serial.statistics.zstdFrames, frames)
            for threads in 2...6 {
                let out = readAll(zst, options: options(window: 4096, count: 6, threads: threads))
                XCTAssertNil(out.error, "frames \(frames) threads \(threads)")
                assertSamePackets(out.packets, serial.packets, "frames \(frames) threads \(threads)")
                XCTAssertEqual(out.statistics, serial.statistics, "frames \(frames) threads \(threads)")
            }
        }
    }

    /// When each window gets decoded, and by which thread, depends on timing; the
    /// result must not. Many small frames, several thread counts and ring sizes,
    /// repeated so that the threads interleave differently from run to run.
    func testAnyInterleavingOfDecodingThreadsGivesTheSerialRead() {
        let plain = samplePcap(count: 3000)
        let zst = ZstdBytes.compressFrames(plain, chunkSize: 6_000)
        let serial = readAll(zst, options: options(window: 4096, count: 4, threads: 1))
        XCTAssertNil(serial.error)
        XCTAssertGreaterThan(serial.statistics.zstdFrames, 30)
        for round in 0 ..< 12 {
            for (threads, count) in [(2, 3), (2, 16), (3, 4), (4, 8)] {
                let out = readAll(zst, options: options(window: 4096, count: count, threads: threads))
                XCTAssertNil(out.error, "round \(round) threads \(threads) windows \(count)")
                assertSamePackets(out.packets, serial.packets, "round \(round) threads \(threads) windows \(count)")
                XCTAssertEqual(out.statistics, serial.statistics, "round \(round) threads \(threads) windows \(count)")
            }
        }
    }

    func testMultiFramePcapngInParallel() {
        let plain = samplePcapng(count: 2000)
        let zst = ZstdBytes.compressFrames(plain, chunkSize: 7_001)
        let want = readAll(plain)
        let out = readAll(zst, options: options(window: 8192, count: 3, threads: 2))
        XCTAssertNil(out.error)
        assertSamePackets(out.packets, want.packets)
        XCTAssertEqual(out.statistics.skippedBlocks, want.statistics.skippedBlocks)
    }

    func testSkippableFramesAreIgnoredAndCounted() {
        let plain = samplePcap(count: 200)
        let half = plain.count / 2
        let zst = ZstdBytes.skippableFrame([1, 2, 3])
            + ZstdBytes.compress(Array(plain[..<half]))
            + ZstdBytes.skippableFrame(Array(repeating: 0xFF, count: 100), magicNibble: 0xF)
            + ZstdBytes.compress(Array(plain[half...]))
            + ZstdBytes.skippableFrame([])
        for threads in [1, 2] {
            let out = readAll(zst, options: options(threads: threads))
            XCTAssertNil(out.error)
            XCTAssertEqual(out.compression, .zstd)
            assertSamePackets(out.packets, readAll(plain).packets)
            XCTAssertEqual(out.statistics.zstdSkippableFrames, 3)
            XCTAssertEqual(out.statistics.zstdFrames, 2)
        }
    }

    func testEmptyFramesBetweenDataFrames() {
        let plain = samplePcap(count: 50)
        let zst = ZstdBytes.compress([]) + ZstdBytes.compress(plain) + ZstdBytes.compress([])
        for threads in [1, 2] {
            let out = readAll(zst, options: options(threads: threads))
            XCTAssertNil(out.error)
            assertSamePackets(out.packets, readAll(plain).packets)
            XCTAssertEqual(out.statistics.zstdFrames, 3)
        }
    }

    func testOversizedFrameWindowIsRefusedNotAllocated() {
        // A frame whose history window is 2^22 bytes, read with a 2^20 limit.
        let plain = samplePcap(count: 4000)
        var o = options()
        o.maxZstdWindowLog = 20
        let zst = ZstdBytes.compressStreaming(plain, windowLog: 22)
        let out = readAll(zst, name: "big-window.zst", options: o)
        assertSamePackets(out.packets, [])
        assertError(out.error, file: "big-window.zst", offset: 0) { if case .zstd = $0 { true } else { false } }
        XCTAssertEqual(out.error?.zstdFrame?.index, 0)
        // And with the default limit it reads fine.
        XCTAssertEqual(readAll(zst).packets, readAll(plain).packets)
    }

    func testThreadsAreUsedOnlyForSeveralFrames() throws {
        let plain = samplePcap(count: 500)
        let cases: [([UInt8], Int, Int)] = [
            (plain, 2, 0),
            (ZstdBytes.compress(plain), 2, 1),
            (ZstdBytes.compressFrames(plain, chunkSize: 10_000), 1, 1),
            (ZstdBytes.compressFrames(plain, chunkSize: 10_000), 2, 2),
            (ZstdBytes.skippableFrame([1]) + ZstdBytes.compress(plain) + ZstdBytes.skippableFrame([2]), 2, 1),
        ]
        for (bytes, threads, inUse) in cases {
            try bytes.withUnsafeBytes { raw in
                let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: "x"), options: options(threads: threads))
                XCTAssertEqual(reader.decompressionThreadsInUse, inUse)
            }
        }
    }

    func testReaderDroppedMidStreamStopsItsThreads() throws {
        // Dropping a reader with frames still being decoded ahead must not hang or leak.
        let zst = ZstdBytes.compressFrames(samplePcap(count: 3000), chunkSize: 5_000)
        for _ in 0..<20 {
            try zst.withUnsafeBytes { raw in
                let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: "x"), options: options(window: 4096, count: 3, threads: 2))
                for _ in 0..<10 { _ = try reader.next() }
            }
        }
    }

    func testPacketBytesStayValidUntilTheFollowingCall() {
        // With one tiny window the reader reuses memory constantly; each packet is
        // checked right after it is returned and before the next call.
        let plain = samplePcap(count: 300)
        let want = readAll(plain).packets
        let zst = ZstdBytes.compress(plain)
        zst.withUnsafeBytes { raw in
            let reader = try! CaptureReader(file: MappedFile(borrowing: raw, name: "z"), options: options(window: 4096, count: 1))
            var i = 0
            while let p = try! reader.next() {
                XCTAssertEqual(Array(p.bytes), want[i].bytes)
                i += 1
            }
            XCTAssertEqual(i, want.count)
        }
    }
}
