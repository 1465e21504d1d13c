import CaptureIO
import Foundation
import XCTest

/// Replays fuzzer findings (`Tests/FuzzRegressions/reader/`) and the fuzzer's
/// seed corpus (`Tests/FuzzSeeds/reader/`) through the reader exactly as the
/// `FuzzReader` target does, so every past crash stays fixed in plain
/// `swift test` runs, without the sanitizer build.
final class FuzzRegressionTests: XCTestCase {
    private static let testsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Capture inputs in `directory` (README files describe the directory, they are not inputs).
    private func inputs(in directory: String) throws -> [URL] {
        let url = Self.testsDirectory.appendingPathComponent(directory)
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix("README") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// What one read of an input produced.
    private struct Outcome {
        var packets: [(timestamp: CaptureTimestamp, wireLength: UInt32, bytes: [UInt8])] = []
        var error: CaptureError?
        var streamBytes: UInt64 = 0
    }

    /// The fuzz harness's loop: small windows, read to the end or the first error.
    private func read(_ bytes: [UInt8], name: String, threads: Int) -> Outcome {
        var options = ReaderOptions()
        options.windowSize = 64 << 10
        options.windowCount = 2
        options.decompressionThreads = threads
        var outcome = Outcome()
        bytes.withUnsafeBytes { raw in
            let file = MappedFile(borrowing: raw, name: name)
            do throws(CaptureError) {
                let reader = try CaptureReader(file: file, options: options)
                defer { outcome.streamBytes = reader.statistics.streamBytes }
                while let packet = try reader.next() {
                    if reader.compression == .none, let start = packet.bytes.baseAddress, let base = raw.baseAddress {
                        // Plain input is read in place: a slice outside it reads foreign memory.
                        XCTAssertTrue(start >= base && start + packet.bytes.count <= base + raw.count,
                                      "\(name): packet \(packet.sequence) slice outside the input")
                        if start + packet.bytes.count > base + raw.count { break }
                    }
                    XCTAssertEqual(packet.sequence, UInt64(outcome.packets.count), name)
                    XCTAssertLessThanOrEqual(packet.bytes.count, Int(options.maxCaptureLength), name)
                    XCTAssertLessThan(packet.timestamp.nanoseconds, 1_000_000_000, name)
                    outcome.packets.append((packet.timestamp, packet.wireLength, Array(packet.bytes)))
                }
            } catch {
                outcome.error = error
            }
        }
        return outcome
    }

    private func replayAll(in directory: String) throws -> Int {
        let files = try inputs(in: directory)
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            for threads in [1, 2] {
                let outcome = read(bytes, name: url.lastPathComponent, threads: threads)
                // Every record (pcap header, smallest pcapng block) takes at least
                // 16 bytes of the stream: more packets means the reader invented some.
                XCTAssertLessThanOrEqual(UInt64(outcome.packets.count) * 16, outcome.streamBytes, url.lastPathComponent)
            }
        }
        return files.count
    }

    func testFuzzRegressionsReplayWithoutCrashing() throws {
        let count = try replayAll(in: "FuzzRegressions/reader")
        XCTAssertGreaterThanOrEqual(count, 1, "regression inputs missing")
    }

    func testSeedCorpusReplaysWithoutCrashing() throws {
        let count = try replayAll(in: "FuzzSeeds/reader")
        XCTAssertGreaterThanOrEqual(count, 10, "seed corpus missing")
    }

    /// The hand-made classic pcap seeds encode the same three packets in both
    /// byte orders and both resolutions; the reader must agree on all of them.
    func testHandMadePcapSeedsDecodeIdentically() throws {
        let seeds = Self.testsDirectory.appendingPathComponent("FuzzSeeds/reader")
        var decoded: [String: Outcome] = [:]
        for name in ["pcap-le-us.pcap", "pcap-be-us.pcap", "pcap-le-ns.pcap", "pcap-be-ns.pcap"] {
            let bytes = [UInt8](try Data(contentsOf: seeds.appendingPathComponent(name)))
            let outcome = read(bytes, name: name, threads: 1)
            XCTAssertNil(outcome.error, name)
            XCTAssertEqual(outcome.packets.count, 3, name)
            decoded[name] = outcome
        }
        let reference = try XCTUnwrap(decoded["pcap-le-us.pcap"])
        XCTAssertEqual(reference.packets.map(\.timestamp), [
            CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 1_000),
            CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 999_999_000),
            CaptureTimestamp(seconds: 1_700_000_001, nanoseconds: 0),
        ])
        XCTAssertEqual(reference.packets.map(\.bytes.count), [82, 42, 0])
        for (name, outcome) in decoded {
            XCTAssertEqual(outcome.packets.map(\.timestamp), reference.packets.map(\.timestamp), name)
            XCTAssertEqual(outcome.packets.map(\.wireLength), reference.packets.map(\.wireLength), name)
            XCTAssertEqual(outcome.packets.map(\.bytes), reference.packets.map(\.bytes), name)
        }
    }

    /// Cut-off corpus prefixes end mid-record: the reader must report where.
    func testTruncatedCorpusPrefixReportsOffset() throws {
        let url = Self.testsDirectory.appendingPathComponent("FuzzSeeds/reader/prefix-synth-nasty-trace.pcap")
        let bytes = [UInt8](try Data(contentsOf: url))
        let outcome = read(bytes, name: "prefix", threads: 1)
        XCTAssertFalse(outcome.packets.isEmpty)
        let error = try XCTUnwrap(outcome.error)
        XCTAssertLessThan(error.offset, UInt64(bytes.count))
        XCTAssertGreaterThanOrEqual(error.offset, 24)
    }
}
