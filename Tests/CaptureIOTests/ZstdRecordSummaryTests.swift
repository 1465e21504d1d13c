@testable import CaptureIO
import XCTest

/// Record headers walked by the decoding threads (`PcapRecordSummarizer`) and
/// handed to the consumer: the walk itself against a plain one, and reads of
/// record-aligned multi-frame files (where the consumer takes the summaries)
/// against the serial read.
final class ZstdRecordSummaryTests: XCTestCase {
    /// Deterministic pseudo-random numbers (SplitMix64).
    private struct Random {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Int(z % UInt64(range.count))
        }
    }

    private struct Record {
        var start: Int
        var end: Int
        var summary: PcapRecordSummary
    }

    /// Records of random sizes (some empty, a few spanning many small windows) and,
    /// when `rejectAt` is given, a record there whose caplen is over the limit
    /// followed by garbage.
    private func records(count: Int, swapped: Bool, rejectAt: Int?, random: inout Random)
        -> (bytes: [UInt8], valid: [Record], rejectedAt: Int?)
    {
        var w = ByteWriter(bigEndian: swapped == (UInt32(1).littleEndian == 1))
        var valid: [Record] = []
        for i in 0..<count {
            let start = w.bytes.count
            if i == rejectAt {
                w.u32(1); w.u32(2); w.u32(70_000); w.u32(70_000)
                w.raw((0..<500).map { UInt8(truncatingIfNeeded: $0) })
                return (w.bytes, valid, start)
            }
            let size = i % 97 == 5 ? random.next(3000...9000) : random.next(0...300)
            let s = PcapRecordSummary(
                seconds: UInt32(1_700_000_000 + i), fraction: UInt32(random.next(0...999_999)),
                capturedLength: UInt32(size), wireLength: UInt32(size + random.next(0...9)))
            w.u32(s.seconds); w.u32(s.fraction); w.u32(s.capturedLength); w.u32(s.wireLength)
            w.raw((0..<size).map { UInt8(truncatingIfNeeded: $0 &+ i) })
            valid.append(Record(start: start, end: w.bytes.count, summary: s))
        }
        return (w.bytes, valid, nil)
    }

    func testWalkSummarisesExactlyTheRecordsInsideEachWindow() {
        var random = Random(state: 7)
        for round in 0..<40 {
            let swapped = round % 2 == 1
            let rejectAt: Int? = round % 5 == 4 ? random.next(10...150) : nil
            let (bytes, valid, rejectedAt) = records(count: 200, swapped: swapped, rejectAt: rejectAt, random: &random)
            let layout = PcapRecordLayout(swapped: swapped, maxCaptureLength: 65_535)
            let capacity = round % 3 == 0 ? 3 : 64
            let out = UnsafeMutablePointer<PcapRecordSummary>.allocate(capacity: capacity)
            defer { out.deallocate() }
            var walker = PcapRecordSummarizer()
            walker.startFrame(atStreamStart: false)
            var windowStart = 0
            bytes.withUnsafeBytes { raw in
                while windowStart < bytes.count {
                    let sizes = [1, 5, 15, 16, 17, 40, 333, 1000, 4096]
                    let length = min(sizes[random.next(0...sizes.count - 1)], bytes.count - windowStart)
                    let window = raw.baseAddress! + windowStart
                    walker.beginWindow(layout: layout, into: out, capacity: capacity)
                    var produced = 0
                    while produced < length {
                        produced = min(length, produced + random.next(1...700))
                        walker.walk(window, produced: produced)
                    }
                    let got = walker.finishWindow(window, length: length)
                    let inside = valid.filter {
                        $0.start >= windowStart && $0.end <= windowStart + length && $0.start < (rejectedAt ?? .max)
                    }
                    let context = "round \(round) window at \(windowStart) length \(length)"
                    XCTAssertEqual(got.count, min(inside.count, capacity), context)
                    if let first = inside.first, got.count > 0 {
                        XCTAssertEqual(got.firstRecord, first.start - windowStart, context)
                        for (i, want) in inside.prefix(got.count).enumerated() {
                            let s = got.records![i]
                            XCTAssertEqual(
                                [s.seconds, s.fraction, s.capturedLength, s.wireLength],
                                [want.summary.seconds, want.summary.fraction, want.summary.capturedLength,
                                 want.summary.wireLength], context)
                        }
                    }
                    windowStart += length
                }
            }
        }
    }

    func testWalkWithoutALayoutOrAfterARejectionSummarisesNothingUntilTheNextFrame() {
        var random = Random(state: 11)
        let (bytes, _, _) = records(count: 50, swapped: false, rejectAt: nil, random: &random)
        let out = UnsafeMutablePointer<PcapRecordSummary>.allocate(capacity: 64)
        defer { out.deallocate() }
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            let layout = PcapRecordLayout(swapped: false, maxCaptureLength: 65_535)
            var walker = PcapRecordSummarizer()
            walker.startFrame(atStreamStart: false)
            // No layout for the first window: the chain is lost for the rest of the frame.
            walker.beginWindow(layout: nil, into: out, capacity: 64)
            walker.walk(base, produced: 1000)
            XCTAssertEqual(walker.finishWindow(base, length: 1000).count, 0)
            walker.beginWindow(layout: layout, into: out, capacity: 64)
            walker.walk(base + 1000, produced: 1000)
            XCTAssertEqual(walker.finishWindow(base + 1000, length: 1000).count, 0)
            // A new frame assumed to start on a record boundary: summarised again.
            walker.startFrame(atStreamStart: false)
            walker.beginWindow(layout: layout, into: out, capacity: 64)
            walker.walk(base, produced: 2000)
            XCTAssertGreaterThan(walker.finishWindow(base, length: 2000).count, 0)
        }
    }

    // MARK: - Reads

    /// zstd frames cut at the first record boundary after every `chunkSize` bytes,
    /// as `rpcreplay corpus pack` cuts them.
    private func recordAlignedFrames(_ pcap: [UInt8], chunkSize: Int, bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var frameStart = 0
        var at = PcapFileHeader.length
        while at < pcap.count {
            let field = pcap[(at + 8)..<(at + 12)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let caplen = bigEndian ? field : field.byteSwapped
            at = min(at + 16 + Int(caplen), pcap.count)
            if at - frameStart >= chunkSize || at == pcap.count {
                out += ZstdBytes.compress(Array(pcap[frameStart..<at]))
                frameStart = at
            }
        }
        return out
    }

    private func read(_ zst: [UInt8], window: Int, threads: Int, maxCaptureLength: UInt32 = 262_144)
        -> (outcome: ReadOutcome, summarised: Int)
    {
        var options = ReaderOptions()
        options.windowSize = window
        options.windowCount = 4
        options.decompressionThreads = threads
        options.maxCaptureLength = maxCaptureLength
        return zst.withUnsafeBytes { raw in
            var outcome = ReadOutcome()
            var summarised = 0
            do throws(CaptureError) {
                let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: "aligned.zst"), options: options)
                do throws(CaptureError) {
                    while let p = try reader.next() { outcome.packets.append(PacketCopy(p)) }
                } catch {
                    outcome.error = error
                }
                outcome.statistics = reader.statistics
                summarised = reader.zstdStream?.recordsTakenFromSummaries ?? 0
            } catch {
                outcome.error = error
            }
            return (outcome, summarised)
        }
    }

    func testRecordAlignedFramesAreWalkedByTheDecodingThreads() {
        let cases: [(bigEndian: Bool, nanosecond: Bool, snaplen: UInt32, maxSize: Int)] = [
            (false, false, 65_535, 1500), (true, true, 65_535, 1500),
            (false, true, 200, 1500),  // records cut to the snaplen
            (true, false, 65_535, 40),  // more records per window than summaries
        ]
        for c in cases {
            let plain = PcapBytes.file(
                nanosecond: c.nanosecond, bigEndian: c.bigEndian, snaplen: c.snaplen,
                packets: (0..<3000).map { TestPacket.numbered($0, size: ($0 * 7919) % c.maxSize) })
            let want = readAll(plain)
            XCTAssertNil(want.error)
            let zst = recordAlignedFrames(plain, chunkSize: c.maxSize * 20, bigEndian: c.bigEndian)
            for window in [4096, 64 << 10] {
                let serial = read(zst, window: window, threads: 1)
                XCTAssertEqual(serial.summarised, 0, "one thread walks the windows itself")
                for threads in [2, 3] {
                    let context = "\(c) window \(window) threads \(threads)"
                    let out = read(zst, window: window, threads: threads)
                    XCTAssertNil(out.outcome.error, context)
                    assertSamePackets(out.outcome.packets, want.packets, context)
                    XCTAssertEqual(out.outcome.statistics, serial.outcome.statistics, context)
                    XCTAssertGreaterThan(out.summarised, want.packets.count / 2, context)
                }
            }
        }
    }

    func testRejectedRecordInALaterFrameFailsAsInTheSerialRead() {
        var w = ByteWriter(bigEndian: false)
        let head = PcapBytes.file(packets: [])
        w.raw(head)
        for i in 0..<2000 { PcapBytes.record(&w, TestPacket.numbered(i, size: (i * 7919) % 1500)) }
        PcapBytes.record(&w, TestPacket.numbered(2000, size: 600), caplen: 300_000)
        for i in 2001..<2100 { PcapBytes.record(&w, TestPacket.numbered(i, size: 100)) }
        let zst = recordAlignedFrames(w.bytes, chunkSize: 30_000, bigEndian: false)
        let serial = read(zst, window: 4096, threads: 1)
        guard let error = serial.outcome.error, case .absurdCaptureLength = error.problem else {
            return XCTFail("expected the caplen to be refused, got \(String(describing: serial.outcome.error))")
        }
        XCTAssertEqual(serial.outcome.packets.count, 2000)
        for threads in [2, 3] {
            let out = read(zst, window: 4096, threads: threads)
            XCTAssertEqual(out.outcome.error, error, "threads \(threads)")
            assertSamePackets(out.outcome.packets, serial.outcome.packets, "threads \(threads)")
            XCTAssertGreaterThan(out.summarised, 1000, "threads \(threads)")
        }
    }
}
