import CaptureIO
import Foundation
import XCTest

/// `rpcreplay corpus pack`: several independent frames, each ending on a record
/// boundary, reproducing the input stream exactly.
final class CorpusPackTests: XCTestCase {
    private func corpus(_ name: String) -> String {
        CLIHarness.root.appendingPathComponent("corpora").appendingPathComponent(name).path
    }

    /// Packs `input`, then checks every frame on its own: it decompresses alone,
    /// holds whole records only (frame 0 starting with the file header), is at
    /// most `frameBytes` long, and the frames together are the input stream.
    private func checkPack(input: String, frameMiB: String, pcapng: Bool, bigEndian: Bool = false) throws -> (file: String, frames: [CLIHarness.ZstdFrame]) {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let output = temp.appendingPathComponent("packed.zst").path
        let result = try CLIHarness.rpcreplay("corpus", "pack", input, output, "--frame-mib", frameMiB)
        XCTAssertEqual(result.status, 0, result.stderr)

        let plain = try CLIHarness.plainCopy(of: input, in: temp)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain)))
        let frames = try CLIHarness.zstdFrames(output)
        XCTAssertGreaterThan(frames.count, 1, "expected several frames")
        XCTAssertEqual(frames.flatMap(\.content), original, "frames together must be the input stream")

        let frameBytes = Int(Double(frameMiB)! * 1_048_576)
        let magic: [UInt8] = pcapng ? [0x0A, 0x0D, 0x0D, 0x0A] : (bigEndian ? [0xA1, 0xB2, 0xC3, 0xD4] : [0xD4, 0xC3, 0xB2, 0xA1])
        XCTAssertEqual(Array(frames[0].content.prefix(4)), magic, "frame 0 starts with the file header")
        var printedLines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("frame ") }.makeIterator()
        for (index, frame) in frames.enumerated() {
            let records = ContainerWalk.wholeRecords(frame.content, pcapng: pcapng, bigEndian: bigEndian, hasFileHeader: index == 0)
            XCTAssertNotNil(records, "frame \(index) does not end on a record boundary")
            // Only a single record larger than the limit may make a frame exceed it.
            if frame.content.count > frameBytes {
                XCTAssertEqual(records, 1, "frame \(index) too large (\(frame.content.count) bytes)")
            }
            // The frame table printed by the command describes the real file.
            let line = String(printedLines.next() ?? "")
            XCTAssertTrue(
                line.hasPrefix("frame \(index): compressed_offset=\(frame.compressedOffset) compressed_bytes=\(frame.compressedBytes) "),
                line)
        }
        return (output, frames)
    }

    func testPackPcapMakesSeveralFramesOnRecordBoundaries() throws {
        let (_, frames) = try checkPack(input: corpus("synth-nasty/trace.pcap"), frameMiB: "0.03", pcapng: false)
        XCTAssertEqual(frames.count, 5)
    }

    func testPackPcapngEndsFramesOnBlockBoundaries() throws {
        _ = try checkPack(input: corpus("zeek-portmapper-many-unanswered-calls/trace.pcapng"), frameMiB: "0.05", pcapng: true)
    }

    func testPackBigEndianPcap() throws {
        _ = try checkPack(input: CLIHarness.variant("zeek-rpc-portmap-sadmind.big.pcap"), frameMiB: "0.001", pcapng: false, bigEndian: true)
    }

    /// zstd input is decompressed on the fly; the 8 MB corpus makes 1 MiB frames.
    func testPackZstdInputRepacksIntoFramesThatReadBackToIdenticalPackets() throws {
        let input = corpus("synth-mix-small/trace.pcap.zst")
        let (output, frames) = try checkPack(input: input, frameMiB: "1", pcapng: false)
        XCTAssertEqual(frames.count, 8)
        // Reading the packed file gives the same packets as reading the original.
        try XCTSkipIf(CLIHarness.readerLacksFormat(of: output), "zstd reader not merged yet")
        let repacked = try CLIHarness.readerPackets(output)
        XCTAssertEqual(repacked.count, 9564)
        XCTAssertTrue(repacked == (try CLIHarness.readerPackets(input)), "packets differ after packing")
    }

    func testPackRejectsInputThatIsNotACaptureAndLeavesNoOutput() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let junk = temp.appendingPathComponent("junk").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: junk))
        let output = temp.appendingPathComponent("out.zst").path
        let result = try CLIHarness.rpcreplay("corpus", "pack", junk, output)
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains(junk), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testPackKeepsATruncatedTailVerbatimAndWarns() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let input = CLIHarness.variant("zeek-nfs-write.truncated.pcap")
        let output = temp.appendingPathComponent("out.zst").path
        let result = try CLIHarness.rpcreplay("corpus", "pack", input, output)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("ends inside the record at byte 9832"), result.stderr)
        let frames = try CLIHarness.zstdFrames(output)
        XCTAssertEqual(frames.flatMap(\.content), [UInt8](try Data(contentsOf: URL(fileURLWithPath: input))))
    }

    func testPackOptionsAreValidated() throws {
        let input = corpus("synth-nasty/trace.pcap")
        XCTAssertEqual(try CLIHarness.rpcreplay("corpus", "pack", input, "/tmp/x.zst", "--frame-mib", "0").status, 64)
        XCTAssertEqual(try CLIHarness.rpcreplay("corpus", "pack", input, input).status, 64, "must refuse to overwrite its input")
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let bad = try CLIHarness.rpcreplay("corpus", "pack", input, temp.appendingPathComponent("x.zst").path, "--level", "99")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("level"), bad.stderr)
    }
}
