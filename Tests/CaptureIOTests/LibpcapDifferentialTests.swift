import CPcap
import CaptureIO
import Foundation
import XCTest

/// For every corpus under <package root>/corpora/*/trace.*, our reader returns
/// exactly what libpcap returns (nanosecond precision): same count, timestamps,
/// caplen, wire length and bytes. zstd corpora are decompressed to a temporary
/// file for libpcap, and read by us straight from the .zst (serially, and with
/// small windows on two threads).
final class LibpcapDifferentialTests: XCTestCase {
    private static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private func corpusTraces() throws -> [URL] {
        let corpora = Self.packageRoot.appendingPathComponent("corpora")
        let dirs = try FileManager.default.contentsOfDirectory(at: corpora, includingPropertiesForKeys: nil)
        return dirs.flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.lastPathComponent.hasPrefix("trace.") }
        }.sorted { $0.path < $1.path }
    }

    /// Every packet libpcap returns, or a failure message.
    func libpcapPackets(_ path: String) -> Result<[PacketCopy], LibpcapError> {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            return .failure(LibpcapError(message: String(decoding: errbuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        defer { pcap_close(handle) }
        let linkType = UInt32(pcap_datalink(handle))
        var packets: [PacketCopy] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 1, let h = header?.pointee, let data {
                let bytes = Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))
                packets.append(PacketCopy(
                    sequence: UInt64(packets.count), seconds: Int64(h.ts.tv_sec), nanoseconds: UInt32(h.ts.tv_usec),
                    wireLength: h.len, linkType: linkType, bytes: bytes))
            } else if rc == PCAP_ERROR_BREAK {
                return .success(packets)
            } else {
                return .failure(LibpcapError(message: String(cString: pcap_geterr(handle))))
            }
        }
    }

    func ourPackets(_ path: String, options: ReaderOptions = .init()) throws -> [PacketCopy] {
        let reader = try CaptureReader(path: path, options: options)
        var packets: [PacketCopy] = []
        while let p = try reader.next() { packets.append(PacketCopy(p)) }
        return packets
    }

    func testEveryCorpusMatchesLibpcap() throws {
        let traces = try corpusTraces()
        XCTAssertGreaterThanOrEqual(traces.count, 1, "no corpora found under \(Self.packageRoot.path)/corpora")
        let tmp = try temporaryDirectory(self)
        for trace in traces {
            let name = trace.deletingLastPathComponent().lastPathComponent + "/" + trace.lastPathComponent
            var libpcapPath = trace.path
            var variants: [(String, ReaderOptions)] = [("default", ReaderOptions())]
            if trace.pathExtension == "zst" {
                let compressed = [UInt8](try Data(contentsOf: trace))
                let plainURL = tmp.appendingPathComponent(name.replacingOccurrences(of: "/", with: "_") + ".plain")
                try write(ZstdBytes.decompress(compressed), to: plainURL)
                libpcapPath = plainURL.path
                var small = ReaderOptions()
                small.windowSize = 64 << 10
                small.windowCount = 3
                small.decompressionThreads = 2
                var serial = ReaderOptions()
                serial.decompressionThreads = 1
                variants += [("64 KiB windows, 2 threads", small), ("1 thread", serial)]
            }
            let reference: [PacketCopy]
            switch libpcapPackets(libpcapPath) {
            case .success(let p): reference = p
            case .failure(let e): XCTFail("\(name): libpcap failed: \(e.message)"); continue
            }
            XCTAssertGreaterThan(reference.count, 0, name)
            for (label, options) in variants {
                let ours = try ourPackets(trace.path, options: options)
                assertSamePackets(ours.map(\.comparable), reference.map(\.comparable), "\(name) (\(label))")
            }
        }
    }
}

extension LibpcapDifferentialTests {
    /// The same comparison on synthetic files covering every variant libpcap reads.
    func testSyntheticVariantsMatchLibpcap() throws {
        let dir = try temporaryDirectory(self)
        let packets = (0..<40).map { TestPacket.numbered($0, size: 20 + ($0 * 37) % 200) }
        var files: [(String, [UInt8])] = []
        for ns in [false, true] {
            for be in [false, true] {
                files.append(("pcap ns=\(ns) be=\(be)", PcapBytes.file(nanosecond: ns, bigEndian: be, packets: packets)))
            }
        }
        // Records longer than the snaplen are delivered cut to it.
        files.append(("pcap snaplen 64", PcapBytes.file(snaplen: 64, packets: packets)))
        files.append(("pcap snaplen 0", PcapBytes.file(snaplen: 0, packets: packets)))
        for be in [false, true] {
            var f = PcapngBytes(bigEndian: be)
            func interfaces(_ f: inout PcapngBytes) {
                f.interface(linkType: 1, tsresol: 9)
                f.interface(linkType: 1, tsresol: 0x80 | 20)
                f.interface(linkType: 1)  // libpcap wants one snaplen for all interfaces
                f.interface(linkType: 1, tsresol: 3, tsoffset: 1000)
            }
            f.section()
            interfaces(&f)
            for (i, p) in packets.enumerated() {
                switch i % 5 {
                case 0: f.enhancedPacket(interface: 0, units: 1_700_000_000_123_456_789 + UInt64(i), data: p.data)
                case 1: f.enhancedPacket(interface: 1, units: (1_700_000_000 << 20) + UInt64(i * 77_777), data: p.data)
                case 2: f.simplePacket(data: p.data, wireLength: UInt32(p.data.count))
                case 3: f.obsoletePacket(interface: 2, units: 1_700_000_000_000_000 + UInt64(i), data: p.data)
                default: f.enhancedPacket(interface: 3, units: 1_700_000_000_250 + UInt64(i), data: p.data)
                }
                // A second section (libpcap cannot switch byte order between sections).
                if i == 20 { f.section(); interfaces(&f) }
            }
            files.append(("pcapng be=\(be)", f.bytes))
        }
        for (label, bytes) in files {
            let url = dir.appendingPathComponent(label.replacingOccurrences(of: " ", with: "_"))
            try write(bytes, to: url)
            let result = libpcapPackets(url.path)
            guard case .success(let reference) = result else { XCTFail("libpcap: \(label): \(result)"); continue }
            let ours = try ourPackets(url.path)
            assertSamePackets(ours.map(\.comparable), reference.map(\.comparable), label)
            let zst = dir.appendingPathComponent(url.lastPathComponent + ".zst")
            try write(ZstdBytes.compressFrames(bytes, chunkSize: 333), to: zst)
            var o = ReaderOptions()
            o.windowSize = 4096
            assertSamePackets(try ourPackets(zst.path, options: o).map(\.comparable), reference.map(\.comparable), label + " zst")
        }
    }
}

struct LibpcapError: Error { var message: String }

extension PacketCopy {
    /// What libpcap also defines: it maps link types to DLT values and has no
    /// interface ids or stream offsets.
    var comparable: PacketCopy {
        PacketCopy(sequence: sequence, seconds: seconds, nanoseconds: nanoseconds,
                   wireLength: wireLength, linkType: 0, bytes: bytes)
    }

    init(sequence: UInt64, seconds: Int64, nanoseconds: UInt32, wireLength: UInt32, linkType: UInt32, bytes: [UInt8]) {
        self.sequence = sequence
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.wireLength = wireLength
        self.linkType = linkType
        self.interfaceID = 0
        self.streamOffset = 0
        self.bytes = bytes
    }
}
