import CaptureIO
import Foundation
import XCTest

/// `rpcreplay info` against capinfos and libpcap on every corpus and variant.
final class InfoCommandTests: XCTestCase {
    private func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON object: \($0)")
        }
    }

    private func uint(_ object: [String: Any], _ key: String) -> UInt64? {
        (object[key] as? NSNumber)?.uint64Value
    }

    func testInfoJSONMatchesCapinfosAndLibpcapOnEveryCorpusAndVariant() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let files = CLIHarness.corpusTraces + CLIHarness.intactVariants
        XCTAssertGreaterThanOrEqual(CLIHarness.corpusTraces.count, 12, "corpora missing")
        XCTAssertGreaterThanOrEqual(CLIHarness.intactVariants.count, 8, "variants missing; run scripts/make-variants.sh")
        var checked = 0
        var pending: [String] = []
        for file in files {
            if CLIHarness.readerLacksFormat(of: file) {
                pending.append((file as NSString).lastPathComponent)
                continue
            }
            let result = try CLIHarness.rpcreplay("info", "--json", file)
            XCTAssertEqual(result.status, 0, "\(file): \(result.stderr)")
            let lines = try jsonLines(result.stdout)
            XCTAssertEqual(lines.count, 1, file)
            guard let info = lines.first else { continue }

            let plain = try CLIHarness.plainCopy(of: file, in: temp)
            let capinfos = try CLIHarness.capinfos(plain)
            XCTAssertEqual(info["file"] as? String, file)
            XCTAssertEqual(uint(info, "packets"), capinfos.packets, "packets of \(file)")
            XCTAssertEqual(uint(info, "wire_bytes"), capinfos.wireBytes, "capinfos data size (wire lengths) of \(file)")
            XCTAssertEqual(info["first_ts"] as? String, capinfos.first, "first time of \(file)")
            XCTAssertEqual(info["last_ts"] as? String, capinfos.last, "last time of \(file)")

            // data_bytes is the caplen sum, which capinfos does not print: libpcap's reading.
            let libpcap = try CLIHarness.libpcapPackets(plain)
            XCTAssertEqual(uint(info, "data_bytes"), libpcap.packets.reduce(0) { $0 + UInt64($1.bytes.count) }, "caplen sum of \(file)")

            let name = (file as NSString).lastPathComponent
            XCTAssertEqual(info["compression"] as? String, name.hasSuffix(".zst") ? "zstd" : "none", file)
            XCTAssertEqual(info["format"] as? String, name.contains(".pcapng") ? "pcapng" : "pcap", file)
            XCTAssertEqual(info["byte_order"] as? String, name.contains("big") ? "big-endian" : "little-endian", file)
            XCTAssertEqual(info["link_types"] as? [String], ["EN10MB"], file)
            XCTAssertEqual(info["complete"] as? Bool, true, file)
            XCTAssertEqual(uint(info, "file_bytes"), try UInt64(FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? -1))
            if name.hasSuffix(".zst") {
                let frames = try CLIHarness.zstdFrames(file).count
                XCTAssertEqual(uint(info, "zstd_frames"), UInt64(frames), "frames of \(file)")
            }
            checked += 1
        }
        if !pending.isEmpty {
            print("InfoCommandTests: not yet readable by CaptureReader (pcapng/zstd reader not merged): \(pending)")
        }
        XCTAssertGreaterThanOrEqual(checked, 13)
    }

    func testTimestampsHaveNineFractionalDigitsAndKeysAreComplete() throws {
        let result = try CLIHarness.rpcreplay("info", "--json", CLIHarness.variant("zeek-mount-base.nano.pcap"))
        XCTAssertEqual(result.status, 0, result.stderr)
        let info = try XCTUnwrap(try jsonLines(result.stdout).first)
        for key in ["file", "format", "compression", "packets", "data_bytes", "first_ts", "last_ts", "byte_order", "link_types", "zstd_frames", "file_bytes"] {
            XCTAssertNotNil(info[key], "missing key \(key)")
        }
        for key in ["first_ts", "last_ts"] {
            let ts = try XCTUnwrap(info[key] as? String)
            XCTAssertNotNil(ts.range(of: #"^[0-9]+\.[0-9]{9}$"#, options: .regularExpression), "\(key) = \(ts)")
        }
        XCTAssertEqual(info["first_ts"] as? String, "1514568131.621084000")
        XCTAssertNil(info["stats"], "stats only with --stats")
    }

    func testStatsReportCopiedBytesAndZeroCopyForPlainFiles() throws {
        let file = CLIHarness.corpusTraces.first { $0.hasSuffix("synth-nasty/trace.pcap") }!
        let result = try CLIHarness.rpcreplay("info", "--json", "--stats", file)
        XCTAssertEqual(result.status, 0, result.stderr)
        let info = try XCTUnwrap(try jsonLines(result.stdout).first)
        let stats = try XCTUnwrap(info["stats"] as? [String: Any])
        for key in ["copied_bytes", "stream_bytes", "windows_filled", "skipped_blocks", "zstd_skippable_frames"] {
            XCTAssertNotNil(stats[key], "missing stats key \(key)")
        }
        // A plain file is read in place: nothing copied, the whole stream consumed.
        XCTAssertEqual(uint(stats, "copied_bytes"), 0)
        XCTAssertEqual(uint(stats, "stream_bytes"), uint(info, "file_bytes"))

        let human = try CLIHarness.rpcreplay("info", "--stats", file)
        XCTAssertEqual(human.status, 0)
        XCTAssertTrue(human.stdout.contains("copied bytes:"), human.stdout)
    }

    func testHumanOutputIsOneBlockPerFile() throws {
        let files = [CLIHarness.variant("zeek-rpc-portmap-sadmind.big.pcap"), CLIHarness.variant("zeek-mount-base.nano.pcap")]
        let result = try CLIHarness.rpcreplay("info", files[0], files[1])
        XCTAssertEqual(result.status, 0, result.stderr)
        let blocks = result.stdout.components(separatedBy: "\n\n")
        XCTAssertEqual(blocks.count, 2, result.stdout)
        XCTAssertTrue(blocks[0].hasPrefix(files[0]))
        XCTAssertTrue(blocks[0].contains("pcap (big-endian)"), blocks[0])
        XCTAssertTrue(blocks[0].contains("packets:") && blocks[0].contains(" 28\n"), blocks[0])
        XCTAssertTrue(blocks[1].contains("1514568131.621084000 (2017-12-29 17:22:11.621084000 UTC)"), blocks[1])
    }

    func testTruncatedPcapExitsThreeNamingFileAndOffsetAndKeepsWhatWasRead() throws {
        let file = CLIHarness.variant("zeek-nfs-write.truncated.pcap")
        // Where the cut record starts, found by an independent walk: the end of the last whole record.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        var position = 24, whole = 0
        while position + 16 <= bytes.count {
            let caplen = bytes[position + 8..<position + 12].reversed().reduce(0) { $0 << 8 | Int($1) }
            if position + 16 + caplen > bytes.count { break }
            position += 16 + caplen
            whole += 1
        }
        XCTAssertLessThan(position, bytes.count, "variant should end inside a record")

        let result = try CLIHarness.rpcreplay("info", "--json", file)
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains(file), result.stderr)
        XCTAssertTrue(result.stderr.contains("byte offset \(position)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("truncated"), result.stderr)
        let info = try XCTUnwrap(try jsonLines(result.stdout).first)
        XCTAssertEqual(info["complete"] as? Bool, false)
        XCTAssertEqual(uint(info, "error_offset"), UInt64(position))
        XCTAssertEqual(uint(info, "packets"), UInt64(whole))
        XCTAssertEqual(uint(info, "packets"), try CLIHarness.capinfos(file).packets, "capinfos counts the packets before the cut too")
    }

    func testTruncatedPcapngExitsThree() throws {
        let file = CLIHarness.variant("zeek-portmapper-many-unanswered-calls.truncated.pcapng")
        try XCTSkipIf(CLIHarness.readerLacksFormat(of: file), "pcapng reader not merged yet")
        let result = try CLIHarness.rpcreplay("info", "--json", file)
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains(file) && result.stderr.contains("byte offset 99488"), result.stderr)
        let info = try XCTUnwrap(try jsonLines(result.stdout).first)
        XCTAssertEqual(uint(info, "packets"), try CLIHarness.capinfos(file).packets)
    }

    /// The damaged copies of synth-nasty.multiframe: frame 1 corrupt (block or
    /// checksum), or the file cut inside frame 2.
    func testCorruptZstdExitsThreeNamingTheFrame() throws {
        let intact = CLIHarness.variant("synth-nasty.multiframe.pcap.zst")
        try XCTSkipIf(CLIHarness.readerLacksFormat(of: intact), "zstd reader not merged yet")
        let frames = try CLIHarness.zstdFrames(intact)
        XCTAssertGreaterThanOrEqual(frames.count, 3)
        let packetsPerFrame = frames.enumerated().map { index, frame in
            ContainerWalk.wholeRecords(frame.content, pcapng: false, bigEndian: false, hasFileHeader: index == 0) ?? -1
        }
        let cases: [(file: String, frame: Int, packets: ClosedRange<Int>)] = [
            // Rejected before any byte of frame 1 comes out: exactly frame 0's packets.
            ("synth-nasty.corrupt-block.pcap.zst", 1, packetsPerFrame[0]...packetsPerFrame[0]),
            // Frame 1 decodes, its checksum fails at the end: its packets may or may not be delivered.
            ("synth-nasty.corrupt-checksum.pcap.zst", 1, packetsPerFrame[0]...(packetsPerFrame[0] + packetsPerFrame[1])),
            ("synth-nasty.truncated.pcap.zst", 2,
             (packetsPerFrame[0] + packetsPerFrame[1])...(packetsPerFrame[0] + packetsPerFrame[1] + packetsPerFrame[2] - 1)),
        ]
        for (name, frame, expected) in cases {
            let file = CLIHarness.variant(name)
            let result = try CLIHarness.rpcreplay("info", "--json", file)
            XCTAssertEqual(result.status, 3, name)
            XCTAssertTrue(result.stderr.contains(file), result.stderr)
            XCTAssertTrue(
                result.stderr.contains("zstd frame \(frame) at compressed offset \(frames[frame].compressedOffset)"),
                "\(name): \(result.stderr)")
            let info = try XCTUnwrap(try jsonLines(result.stdout).first, name)
            XCTAssertEqual(info["complete"] as? Bool, false, name)
            XCTAssertEqual(uint(info, "error_zstd_frame"), UInt64(frame), name)
            XCTAssertEqual(uint(info, "error_zstd_frame_offset"), UInt64(frames[frame].compressedOffset), name)
            let packets = Int(uint(info, "packets") ?? 0)
            XCTAssertTrue(expected.contains(packets), "\(name): \(packets) packets, expected \(expected)")
        }
    }

    func testMissingFileAndJunkExitThreeButOtherFilesAreStillReported() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let junk = temp.appendingPathComponent("junk.pcap").path
        try Data("this is not a capture file".utf8).write(to: URL(fileURLWithPath: junk))
        let good = CLIHarness.variant("zeek-rpc-portmap-sadmind.big.pcap")
        let result = try CLIHarness.rpcreplay("info", "--json", "/nonexistent/x.pcap", junk, good)
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains("/nonexistent/x.pcap: byte offset 0: cannot open"), result.stderr)
        XCTAssertTrue(result.stderr.contains(junk + ": byte offset 0: not a pcap"), result.stderr)
        let lines = try jsonLines(result.stdout)
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?["file"] as? String, good)
    }

    func testNoFilesIsAUsageError() throws {
        let result = try CLIHarness.rpcreplay("info")
        XCTAssertEqual(result.status, 64, result.stderr)
    }
}
