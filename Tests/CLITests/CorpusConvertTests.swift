import CaptureIO
import Foundation
import XCTest

/// `rpcreplay corpus convert`: every output form holds exactly the input's packets.
final class CorpusConvertTests: XCTestCase {
    private var source: String {
        // synth-nasty: snaplen-truncated packets (caplen < wire length) and odd sizes.
        CLIHarness.root.appendingPathComponent("corpora/synth-nasty/trace.pcap").path
    }

    private func header(_ path: String, _ count: Int = 4) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(count))
    }

    func testConvertRoundTripsPacketsExactlyInEveryForm() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let original = try CLIHarness.libpcapPackets(source)
        XCTAssertGreaterThan(original.packets.count, 1000)
        let forms: [(name: String, arguments: [String], magic: [UInt8])] = [
            ("micro-little.pcap", [], [0xD4, 0xC3, 0xB2, 0xA1]),
            ("nano-little.pcap", ["--precision", "nano"], [0x4D, 0x3C, 0xB2, 0xA1]),
            ("micro-big.pcap", ["--byte-order", "big"], [0xA1, 0xB2, 0xC3, 0xD4]),
            ("nano-big.pcap", ["--byte-order", "big", "--precision", "nano"], [0xA1, 0xB2, 0x3C, 0x4D]),
            ("one.pcapng", ["--format", "pcapng"], [0x0A, 0x0D, 0x0D, 0x0A]),
            ("three-big.pcapng", ["--format", "pcapng", "--interfaces", "3", "--byte-order", "big"], [0x0A, 0x0D, 0x0D, 0x0A]),
            ("two-nano.pcapng", ["--format", "pcapng", "--interfaces", "2", "--precision", "nano"], [0x0A, 0x0D, 0x0D, 0x0A]),
        ]
        for form in forms {
            let converted = temp.appendingPathComponent(form.name).path
            let result = try CLIHarness.rpcreplay(["corpus", "convert", source, converted] + form.arguments)
            XCTAssertEqual(result.status, 0, "\(form.name): \(result.stderr)")
            XCTAssertEqual(try header(converted), form.magic, form.name)
            // libpcap, an independent reader, sees the same packets.
            let reread = try CLIHarness.libpcapPackets(converted)
            XCTAssertEqual(reread.linkType, original.linkType, form.name)
            XCTAssertTrue(reread.packets == original.packets, "\(form.name): packets differ")
            // CaptureReader reads it to the same packets, and converting back to classic
            // pcap gives them again. (pcapng: only once the pcapng reader is merged.)
            if CLIHarness.readerLacksFormat(of: converted) { continue }
            XCTAssertTrue(try CLIHarness.readerPackets(converted) == original.packets, "\(form.name): CaptureReader differs")
            let back = temp.appendingPathComponent("back-" + form.name + ".pcap").path
            XCTAssertEqual(try CLIHarness.rpcreplay("corpus", "convert", converted, back).status, 0)
            XCTAssertTrue(try CLIHarness.libpcapPackets(back).packets == original.packets, "\(form.name): round trip differs")
        }
        // Host-order micro pcap is libpcap's own output: byte-identical to the source
        // apart from the header's snaplen field.
        let same = try Data(contentsOf: temp.appendingPathComponent("micro-little.pcap"))
        let input = try Data(contentsOf: URL(fileURLWithPath: source))
        XCTAssertEqual(same.count, input.count)
        XCTAssertEqual(same.dropFirst(24), input.dropFirst(24))
    }

    /// Interfaces k = 0, 1, ... get packets round-robin; odd k use nanosecond if_tsresol.
    func testPcapngInterfacesAlternateWithTheirOwnResolution() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let output = temp.appendingPathComponent("two.pcapng").path
        let result = try CLIHarness.rpcreplay("corpus", "convert", source, output, "--format", "pcapng", "--interfaces", "2")
        XCTAssertEqual(result.status, 0, result.stderr)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reversed().reduce(0) { $0 << 8 | Int($1) } }
        var position = 0
        var resolutions: [UInt8] = []
        var interfaceOfPacket: [Int] = []
        while position + 12 <= bytes.count {
            let type = word(position), length = word(position + 4)
            if type == 1 {
                // IDB: link type, snaplen, then options; the first option written is if_tsresol.
                XCTAssertEqual(bytes[position + 8], 1, "Ethernet")
                XCTAssertEqual(word(position + 16) & 0xFFFF, 9, "if_tsresol option code")
                resolutions.append(bytes[position + 20])
            } else if type == 6 {
                interfaceOfPacket.append(word(position + 8))
            }
            position += length
        }
        XCTAssertEqual(position, bytes.count)
        XCTAssertEqual(resolutions, [6, 9])
        XCTAssertEqual(interfaceOfPacket.count, 1721)
        XCTAssertEqual(interfaceOfPacket, (0..<1721).map { $0 % 2 })
        // capinfos agrees on the interfaces and their precision.
        let capinfos = try CLIHarness.tool("capinfos", ["-I", output]).stdout
        XCTAssertTrue(capinfos.contains("Number of interfaces in file: 2"), capinfos)
        XCTAssertTrue(capinfos.contains("microseconds (6)") && capinfos.contains("nanoseconds (9)"), capinfos)
    }

    /// Nanosecond input written with microsecond precision loses digits: warned, truncated.
    func testMicroPrecisionTruncatesNanosecondsWithAWarning() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let nano = temp.appendingPathComponent("nano.pcap").path
        let writer = try PcapWriter(path: nano, linkType: .ethernet, precision: .nano)
        let frame = [UInt8](repeating: 0xAB, count: 60)
        try frame.withUnsafeBytes { bytes in
            try writer.write(timestamp: CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789), wireLength: 60, bytes: bytes)
            try writer.write(timestamp: CaptureTimestamp(seconds: 1_700_000_001, nanoseconds: 5_000), wireLength: 60, bytes: bytes)
        }
        try writer.close()

        let micro = temp.appendingPathComponent("micro.pcap").path
        let result = try CLIHarness.rpcreplay("corpus", "convert", nano, micro)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("1 timestamps lost their sub-microsecond digits"), result.stderr)
        let packets = try CLIHarness.libpcapPackets(micro).packets
        XCTAssertEqual(packets.map(\.nanoseconds), [123_456_000, 5_000])

        let kept = temp.appendingPathComponent("kept.pcapng").path
        let lossless = try CLIHarness.rpcreplay("corpus", "convert", nano, kept, "--format", "pcapng", "--precision", "nano")
        XCTAssertEqual(lossless.status, 0)
        XCTAssertFalse(lossless.stderr.contains("lost"), lossless.stderr)
        XCTAssertEqual(try CLIHarness.libpcapPackets(kept).packets.map(\.nanoseconds), [123_456_789, 5_000])
    }

    func testConvertUsageErrors() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let out = temp.appendingPathComponent("x.pcap").path
        XCTAssertEqual(try CLIHarness.rpcreplay("corpus", "convert", source, out, "--interfaces", "2").status, 64, "pcap has one interface")
        XCTAssertEqual(try CLIHarness.rpcreplay("corpus", "convert", source, out, "--format", "erf").status, 64)
        XCTAssertEqual(try CLIHarness.rpcreplay("corpus", "convert", source, source).status, 64)
    }

    func testConvertOfTruncatedInputExitsThreeAndLeavesNoOutput() throws {
        let temp = try CLIHarness.temporaryDirectory(for: self)
        let out = temp.appendingPathComponent("x.pcap").path
        let result = try CLIHarness.rpcreplay("corpus", "convert", CLIHarness.variant("zeek-nfs-write.truncated.pcap"), out)
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains("byte offset 9832"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
