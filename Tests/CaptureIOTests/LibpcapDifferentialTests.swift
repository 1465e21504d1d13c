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
    private func libpcapPackets(_ path: String) -> Result<[PacketCopy], LibpcapError> {
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

    private func ourPackets(_ path: String, options: ReaderOptions = .init()) throws -> [PacketCopy] {
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
                // libpcap maps link types to DLT values and has no interface ids or
                // offsets; compare what both define.
                func comparable(_ p: PacketCopy) -> PacketCopy {
                    PacketCopy(sequence: p.sequence, seconds: p.seconds, nanoseconds: p.nanoseconds,
                               wireLength: p.wireLength, linkType: 0, bytes: p.bytes)
                }
                assertSamePackets(ours.map(comparable), reference.map(comparable), "\(name) (\(label))")
            }
        }
    }
}

struct LibpcapError: Error { var message: String }

extension PacketCopy {
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
