import CaptureIO
import XCTest

/// Corrupt and truncated compressed data: the error gives the offset in the
/// decompressed stream, the frame index and the frame's compressed offset; every
/// packet that was fully decompressed before the fault is delivered first.
final class ZstdBadInputTests: XCTestCase {
    private let plain = PcapBytes.file(packets: (0..<600).map { TestPacket.numbered($0, size: 1 + ($0 * 131) % 700) })
    private let chunk = 20_000

    private func options(threads: Int, window: Int = 8192) -> ReaderOptions {
        var o = ReaderOptions()
        o.decompressionThreads = threads
        o.windowSize = window
        o.windowCount = 3
        return o
    }

    /// Packets whose records end at or before `offset` in the plain stream.
    private func packets(endingBy offset: UInt64) -> [PacketCopy] {
        readAll(plain).packets.filter { $0.streamOffset + 16 + UInt64($0.bytes.count) <= offset }
    }

    private func isZstdProblem(_ p: CaptureError.Problem) -> Bool { if case .zstd = p { true } else { false } }

    func testCorruptFrameHeaderInTheMiddle() {
        var frames = ZstdBytes.frames(plain, chunkSize: chunk)
        XCTAssertGreaterThan(frames.count, 3)
        frames[2][0] ^= 0xFF  // frame 2's magic
        let zst = frames.reduce([], +)
        let frameOffset = UInt64(frames[0].count + frames[1].count)
        for threads in [1, 2] {
            let out = readAll(zst, name: "c.zst", options: options(threads: threads))
            assertError(out.error, file: "c.zst", offset: UInt64(2 * chunk), isZstdProblem)
            XCTAssertEqual(out.error?.zstdFrame?.index, 2)
            XCTAssertEqual(out.error?.zstdFrame?.compressedOffset, frameOffset)
            XCTAssertTrue(out.error!.description.contains("zstd frame 2 at compressed offset \(frameOffset)"))
            assertSamePackets(out.packets, packets(endingBy: UInt64(2 * chunk)), "threads \(threads)")
        }
    }

    func testChecksumMismatchInASecondFrame() {
        var frames = ZstdBytes.frames(plain, chunkSize: chunk, checksum: true)
        frames[1][frames[1].count - 1] ^= 0x55  // last byte of frame 1's checksum
        let zst = frames.reduce([], +)
        for threads in [1, 2] {
            let out = readAll(zst, name: "k.zst", options: options(threads: threads))
            // zstd checks the checksum before flushing its last block, so the fault
            // lies inside frame 1's output; frame 0's packets are all delivered.
            guard let error = out.error else { return XCTFail("no error") }
            XCTAssertTrue(isZstdProblem(error.problem))
            XCTAssertTrue(error.description.contains("checksum"), "\(error)")
            XCTAssertGreaterThan(error.offset, UInt64(chunk))
            XCTAssertLessThanOrEqual(error.offset, UInt64(2 * chunk))
            XCTAssertEqual(error.zstdFrame?.index, 1)
            XCTAssertEqual(error.zstdFrame?.compressedOffset, UInt64(frames[0].count))
            assertSamePackets(out.packets, packets(endingBy: error.offset))
        }
    }

    func testCorruptBlockDataInsideAFrame() {
        // Without a checksum, a flipped byte inside compressed blocks is caught by
        // the block decoder (or yields different bytes); either way no crash, and
        // whatever is delivered before an error is a prefix of the true packets.
        let one = ZstdBytes.compress(plain)
        var errors = 0
        for position in stride(from: 20, to: one.count - 10, by: max(1, one.count / 40)) {
            var zst = one
            zst[position] ^= 0xA5
            for threads in [1, 2] {
                let out = readAll(zst, name: "flip.zst", options: options(threads: threads, window: 4096))
                guard let error = out.error else { continue }
                errors += 1
                XCTAssertEqual(error.file, "flip.zst")
                XCTAssertLessThanOrEqual(error.offset, UInt64(plain.count))
                XCTAssertNotNil(error.zstdFrame)
                if case .zstd = error.problem {
                    XCTAssertEqual(error.zstdFrame?.index, 0)
                    assertSamePackets(out.packets, packets(endingBy: error.offset))
                }
            }
        }
        XCTAssertGreaterThan(errors, 0, "some flips must be detected")
    }

    func testTruncatedStreamDeliversWhatWasDecompressed() {
        let frames = ZstdBytes.frames(plain, chunkSize: chunk)
        let whole = frames.reduce([], +)
        let lastStart = whole.count - frames.last!.count
        for cut in [lastStart + 3, lastStart + frames.last!.count / 2, whole.count - 1] {
            let zst = Array(whole[..<cut])
            for threads in [1, 2] {
                let out = readAll(zst, name: "t.zst", options: options(threads: threads))
                guard let error = out.error else { return XCTFail("cut at \(cut): no error") }
                XCTAssertEqual(error.file, "t.zst")
                XCTAssertTrue(isZstdProblem(error.problem), "\(error)")
                XCTAssertEqual(error.zstdFrame?.index, frames.count - 1)
                XCTAssertEqual(error.zstdFrame?.compressedOffset, UInt64(lastStart))
                let fullFrames = UInt64((frames.count - 1) * chunk)
                XCTAssertGreaterThanOrEqual(error.offset, fullFrames)
                XCTAssertLessThan(error.offset, UInt64(plain.count))
                XCTAssertTrue(error.description.contains("offset \(error.offset)"))
                assertSamePackets(out.packets, packets(endingBy: error.offset), "cut \(cut) threads \(threads)")
            }
        }
        // Cut inside the first frame header: nothing decodes, the open fails cleanly.
        let out = readAll(Array(whole[..<5]), name: "h.zst")
        assertError(out.error, file: "h.zst", offset: 0, isZstdProblem)
        assertSamePackets(out.packets, [])
    }

    func testGarbageAfterTheLastFrame() {
        let zst = ZstdBytes.compress(plain) + [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        for threads in [1, 2] {
            let out = readAll(zst, name: "g.zst", options: options(threads: threads))
            assertError(out.error, file: "g.zst", offset: UInt64(plain.count), isZstdProblem)
            XCTAssertEqual(out.error?.zstdFrame?.index, 1)
            assertSamePackets(out.packets, readAll(plain).packets)
        }
    }

    func testDecompressedStreamThatIsNotACapture() {
        let out = readAll(ZstdBytes.compress(Array("just some text, no capture".utf8)), name: "n.zst")
        assertError(out.error, file: "n.zst", offset: 0) { if case .unknownMagic = $0 { true } else { false } }
        XCTAssertEqual(out.compression, nil)
    }
}
