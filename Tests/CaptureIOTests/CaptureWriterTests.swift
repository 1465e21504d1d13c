import CPcap
import CaptureIO
import Foundation
import XCTest

/// PcapWriter (libpcap) and CaptureFileWriter (own pcap/pcapng) read back by
/// libpcap and by CaptureReader.
final class CaptureWriterTests: XCTestCase {
    private struct Written: Equatable {
        var seconds: Int
        var nanoseconds: Int
        var wireLength: UInt32
        var bytes: [UInt8]
    }

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rpcreplay-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Sample packets: odd sizes (padding), a snaplen-cut one, sub-microsecond times.
    private let samples: [Written] = [
        Written(seconds: 1_700_000_000, nanoseconds: 123_456_789, wireLength: 61, bytes: (0..<61).map { UInt8($0) }),
        Written(seconds: 1_700_000_001, nanoseconds: 999_999_999, wireLength: 1514, bytes: [UInt8](repeating: 0x5A, count: 96)),
        Written(seconds: 1_700_000_002, nanoseconds: 0, wireLength: 64, bytes: [UInt8](repeating: 0xC3, count: 64)),
    ]

    private func truncatedToMicro(_ packets: [Written]) -> [Written] {
        packets.map { var p = $0; p.nanoseconds -= p.nanoseconds % 1000; return p }
    }

    private func libpcapRead(_ path: String) throws -> (linkType: Int32, packets: [Written]) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let handle = try XCTUnwrap(pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf), "libpcap cannot open \(path)")
        defer { pcap_close(handle) }
        var packets: [Written] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while pcap_next_ex(handle, &header, &data) == 1, let h = header?.pointee, let data {
            packets.append(Written(seconds: h.ts.tv_sec, nanoseconds: h.ts.tv_usec, wireLength: h.len,
                                   bytes: Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))))
        }
        return (pcap_datalink(handle), packets)
    }

    private func readerRead(_ path: String) throws -> [Written] {
        let reader = try CaptureReader(path: path)
        var packets: [Written] = []
        while let p = try reader.next() {
            packets.append(Written(seconds: Int(p.timestamp.seconds), nanoseconds: Int(p.timestamp.nanoseconds),
                                   wireLength: p.wireLength, bytes: Array(p.bytes)))
        }
        return packets
    }

    private func write(_ packets: [Written], _ body: (CaptureTimestamp, UInt32, UnsafeRawBufferPointer, Int) throws -> Void) rethrows {
        for (index, p) in packets.enumerated() {
            try p.bytes.withUnsafeBytes { try body(CaptureTimestamp(seconds: Int64(p.seconds), nanoseconds: UInt32(p.nanoseconds)), p.wireLength, $0, index) }
        }
    }

    // MARK: - PcapWriter

    func testPcapWriterKeepsNanosecondsOrTruncatesToMicroseconds() throws {
        for precision in TimestampPrecision.allCases {
            let file = path("libpcap-\(precision).pcap")
            let writer = try PcapWriter(path: file, linkType: .ethernet, precision: precision)
            try write(samples) { ts, wire, bytes, _ in try writer.write(timestamp: ts, wireLength: wire, bytes: bytes) }
            try writer.close()
            XCTAssertEqual(writer.packets, 3)
            let expected = precision == .nano ? samples : truncatedToMicro(samples)
            XCTAssertEqual(try libpcapRead(file).packets, expected, "\(precision)")
            XCTAssertEqual(try readerRead(file), expected, "\(precision)")
            let reader = try CaptureReader(path: file)
            XCTAssertEqual(reader.linkTypes, [.ethernet])
        }
    }

    func testPcapWriterMapsLinkTypesToLibpcapDLTs() throws {
        // LINKTYPE_RAW is 101 in files but DLT_RAW 12 inside libpcap on Linux.
        let file = path("raw.pcap")
        let writer = try PcapWriter(path: file, linkType: .raw)
        try writer.close()
        let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        XCTAssertEqual(header.count, 24)
        XCTAssertEqual(header[20], 101)
        XCTAssertEqual(try CaptureReader(path: file).linkTypes, [.raw])

        XCTAssertThrowsError(try PcapWriter(path: path("odd.pcap"), linkType: LinkType(rawValue: 4000)))
        XCTAssertThrowsError(try PcapWriter(path: "/nonexistent-dir/x.pcap", linkType: .ethernet))
    }

    // MARK: - CaptureFileWriter, classic pcap

    func testOwnPcapWriterInBothByteOrdersAndPrecisions() throws {
        for order in [CaptureByteOrder.littleEndian, .bigEndian] {
            for precision in TimestampPrecision.allCases {
                let file = path("own-\(order)-\(precision).pcap")
                let writer = try CaptureFileWriter(pcapPath: file, byteOrder: order, interface: .init(linkType: .ethernet, precision: precision))
                try write(samples) { ts, wire, bytes, _ in try writer.write(timestamp: ts, wireLength: wire, bytes: bytes) }
                try writer.close()
                let magic = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)).prefix(4))
                let expectedMagic: [UInt8] = precision == .nano ? [0xA1, 0xB2, 0x3C, 0x4D] : [0xA1, 0xB2, 0xC3, 0xD4]
                XCTAssertEqual(magic, order == .bigEndian ? expectedMagic : expectedMagic.reversed())
                let expected = precision == .nano ? samples : truncatedToMicro(samples)
                XCTAssertEqual(try libpcapRead(file).packets, expected, "\(order) \(precision)")
                let reader = try CaptureReader(path: file)
                XCTAssertEqual(reader.byteOrder, order)
                XCTAssertEqual(try readerRead(file), expected, "\(order) \(precision)")
            }
        }
    }

    func testOwnPcapWriterRefusesASecondInterfaceAndTimestampsItCannotHold() throws {
        let writer = try CaptureFileWriter(pcapPath: path("one.pcap"), byteOrder: .bigEndian, interface: .init(linkType: .ethernet))
        XCTAssertThrowsError(try writer.addInterface(.init(linkType: .raw)))
        let byte: [UInt8] = [0]
        try byte.withUnsafeBytes { bytes in
            XCTAssertThrowsError(try writer.write(timestamp: CaptureTimestamp(seconds: 1 << 33, nanoseconds: 0), wireLength: 1, bytes: bytes))
            XCTAssertThrowsError(try writer.write(timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), wireLength: 1, bytes: bytes, interface: 1))
        }
        try writer.close()
        XCTAssertEqual(writer.packets, 0)
    }

    // MARK: - CaptureFileWriter, pcapng

    func testPcapngWithInterfacesOfDifferentResolutionReadsBackExactly() throws {
        for order in [CaptureByteOrder.littleEndian, .bigEndian] {
            let file = path("two-\(order).pcapng")
            let writer = try CaptureFileWriter(
                pcapngPath: file, byteOrder: order,
                interfaces: [.init(linkType: .ethernet, precision: .micro), .init(linkType: .ethernet, precision: .nano)])
            try write(samples) { ts, wire, bytes, index in
                try writer.write(timestamp: ts, wireLength: wire, bytes: bytes, interface: UInt32(index % 2))
            }
            try writer.close()
            // Interface 0 is microsecond: packets 0 and 2 lose their nanoseconds, packet 1 keeps them.
            var expected = samples
            expected[0].nanoseconds -= expected[0].nanoseconds % 1000
            XCTAssertEqual(try libpcapRead(file).packets, expected, "\(order)")
            // capinfos sees two interfaces with their resolutions.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/capinfos")
            process.arguments = ["-I", file]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertTrue(text.contains("Number of interfaces in file: 2"), text)
            XCTAssertTrue(text.contains("Time precision = microseconds (6)") && text.contains("Time precision = nanoseconds (9)"), text)
        }
    }

    func testPcapngInterfacesCanBeAddedLaterAndUnknownOnesAreRefused() throws {
        let file = path("late.pcapng")
        let writer = try CaptureFileWriter(pcapngPath: file, byteOrder: .littleEndian)
        let bytes: [UInt8] = [0x45] + [UInt8](repeating: 0, count: 19)
        try bytes.withUnsafeBytes { raw in
            XCTAssertThrowsError(try writer.write(timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0), wireLength: 20, bytes: raw))
            XCTAssertEqual(try writer.addInterface(.init(linkType: .raw, precision: .nano)), 0)
            try writer.write(timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 7), wireLength: 20, bytes: raw)
            XCTAssertThrowsError(try writer.write(timestamp: CaptureTimestamp(seconds: -1, nanoseconds: 0), wireLength: 20, bytes: raw))
        }
        try writer.close()
        let read = try libpcapRead(file)
        XCTAssertEqual(read.linkType, 12, "DLT_RAW")
        XCTAssertEqual(read.packets, [Written(seconds: 1, nanoseconds: 7, wireLength: 20, bytes: bytes)])
        XCTAssertThrowsError(try CaptureFileWriter(pcapngPath: "/nonexistent-dir/x.pcapng", byteOrder: .bigEndian))
    }
}
