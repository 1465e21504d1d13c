import CaptureIO
import Foundation
import XCTest

/// The read-ahead thread must hand out exactly what `TraceReader.nextBatch` does:
/// the same batches in the same order, packets before a fault first, then the
/// fault (again on every later call), and 0 at the end.
final class TraceReadAheadTests: XCTestCase {
    private struct Outcome: Equatable {
        var batches: [[UInt64]] = []
        var bytes: [[UInt8]] = []
        var error: String?
        var errorOffset: UInt64?
        var packets: UInt64 = 0
    }

    private func direct(_ paths: [String], options: ReaderOptions, maxPackets: Int) throws -> Outcome {
        let reader = try TraceReader(paths: paths, options: options)
        var outcome = Outcome()
        var batch = PacketBatch()
        do throws(CaptureError) {
            while try reader.nextBatch(into: &batch, maxPackets: maxPackets) > 0 { record(batch, into: &outcome) }
        } catch {
            outcome.error = error.description
            outcome.errorOffset = error.offset
        }
        outcome.packets = reader.statistics.packets
        return outcome
    }

    private func ahead(_ paths: [String], options: ReaderOptions, maxPackets: Int) throws -> Outcome {
        var options = options
        options.windowCount += TraceReadAhead.windowMargin(depth: 2)
        let reader = try TraceReader(paths: paths, options: options)
        let readAhead = try XCTUnwrap(TraceReadAhead(reader: reader, maxPackets: maxPackets, depth: 2))
        var outcome = Outcome()
        var batch = PacketBatch()
        do throws(CaptureError) {
            while try readAhead.nextBatch(into: &batch) > 0 { record(batch, into: &outcome) }
        } catch {
            outcome.error = error.description
            outcome.errorOffset = error.offset
            // The fault is thrown again on every later call, as the reader does.
            var again: CaptureError?
            do throws(CaptureError) { _ = try readAhead.nextBatch(into: &batch) } catch { again = error }
            XCTAssertEqual(again?.description, outcome.error)
        }
        outcome.packets = readAhead.statistics.packets
        return outcome
    }

    private func record(_ batch: PacketBatch, into outcome: inout Outcome) {
        outcome.batches.append(batch.packets.map(\.sequence))
        for p in batch.packets { outcome.bytes.append(Array(p.bytes)) }
    }

    private func corpusFiles() -> [String] { CorpusFiles.variants }

    /// Every reader variant (plain, pcapng, zstd one and several frames, truncated,
    /// corrupt), in small batches and with a small window ring so window pins and
    /// back-pressure are exercised.
    func testSameBatchesAndFaultsAsTheReaderOnEveryVariant() throws {
        let files = corpusFiles()
        XCTAssertGreaterThan(files.count, 8)
        var options = ReaderOptions()
        options.windowSize = 64 << 10
        options.windowCount = 3
        for path in files {
            for maxPackets in [1, 7, 256] {
                let expected = try direct([path], options: options, maxPackets: maxPackets)
                let got = try ahead([path], options: options, maxPackets: maxPackets)
                XCTAssertEqual(got, expected, "\(path), batches of \(maxPackets)")
            }
        }
        // Some variants are damaged: the comparison covered faults too.
        XCTAssertTrue(try files.contains { try direct([$0], options: options, maxPackets: 7).error != nil })
    }

    /// A trace of several files (a fault in the last one) crosses file boundaries the same way.
    func testSeveralFilesAndAFaultInTheLast() throws {
        let files = corpusFiles()
        let good = try XCTUnwrap(files.first { $0.hasSuffix(".nano.pcap") })
        let multi = try XCTUnwrap(files.first { $0.hasSuffix("multiframe.pcap.zst") })
        let truncated = try XCTUnwrap(files.first { $0.hasSuffix("truncated.pcap") })
        let paths = [good, multi, truncated]
        let expected = try direct(paths, options: ReaderOptions(), maxPackets: 64)
        XCTAssertNotNil(expected.error)
        XCTAssertEqual(try ahead(paths, options: ReaderOptions(), maxPackets: 64), expected)
    }

    /// Stopping early (a run that ends before the trace does) joins the thread even
    /// while it waits for zstd windows the queued batches pin.
    func testStopWhileTheThreadWaitsForWindows() throws {
        let files = corpusFiles()
        let multi = try XCTUnwrap(files.first { $0.hasSuffix("multiframe.pcap.zst") })
        var options = ReaderOptions()
        options.windowSize = 16 << 10
        options.windowCount = 2 + TraceReadAhead.windowMargin(depth: 2)
        let reader = try TraceReader(paths: [multi], options: options)
        let readAhead = try XCTUnwrap(TraceReadAhead(reader: reader, maxPackets: 4, depth: 2))
        var batch = PacketBatch()
        XCTAssertGreaterThan(try readAhead.nextBatch(into: &batch), 0)
        usleep(50_000)  // let the thread fill its queue and block
        readAhead.stop()
        batch.release()
    }
}
