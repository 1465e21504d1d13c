import CaptureIO
import Connections
import Foundation
import PacketDecoding
import XCTest

/// Replays a corpus trace through capture filter, intake and the connection
/// layer, the way a one-shard engine would, collecting what the tests compare.
struct CorpusReplay {
    static let corpora = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora")

    var connLines: [String] = []
    /// Connection-layer conn weirds in events.txt form.
    var weirdEvents: [String] = []
    var records: [ConnectionOutput] = []

    /// The corpus trace as a classic pcap. A `trace.pcap.zst` is decompressed
    /// once into the temporary directory with the zstd tool (until the reader
    /// reads zstd itself); nil when neither is available.
    static func tracePath(_ corpus: String) -> String? {
        let dir = corpora.appendingPathComponent(corpus)
        let plain = dir.appendingPathComponent("trace.pcap").path
        if FileManager.default.fileExists(atPath: plain) { return plain }
        let compressed = dir.appendingPathComponent("trace.pcap.zst").path
        guard FileManager.default.fileExists(atPath: compressed) else { return nil }
        let target = NSTemporaryDirectory() + "/connections-tests-\(corpus).pcap"
        if FileManager.default.fileExists(atPath: target) { return target }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["zstd", "-q", "-d", "-f", compressed, "-o", target + ".part"]
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              (try? FileManager.default.moveItem(atPath: target + ".part", toPath: target)) != nil
        else { return FileManager.default.fileExists(atPath: target) ? target : nil }
        return target
    }

    static func goldenLines(_ corpus: String, mode: String, log: String) throws -> [String] {
        let url = corpora.appendingPathComponent(corpus).appendingPathComponent("golden")
            .appendingPathComponent(mode).appendingPathComponent(log)
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// - Parameter checksums: false = the reference's `-C`.
    init(corpus: String, checksums: Bool) throws {
        guard let path = Self.tracePath(corpus) else { throw XCTSkip("no trace for \(corpus)") }
        let reader = try CaptureReader(path: path)
        let filter = try BPFFilter()
        let decoder = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: checksums))
        var tracker = ConnectionTracker(configuration: ConnectionConfiguration(checksumsEnabled: checksums))
        let out = ConnectionOutputBuffer()
        while let packet = try reader.next() {
            guard filter.matches(packet) else { continue }
            let time = PacketTime(packet.timestamp)
            out.removeAll()
            tracker.advanceClock(to: time, into: out)
            if case .datagram(let datagram) = decoder.decode(packet),
               let segment = TransportSegment(datagram: datagram, time: time, packetSequence: packet.sequence) {
                tracker.process(segment, into: out)
            }
            collect(out)
        }
        out.removeAll()
        tracker.finish(into: out)
        collect(out)
    }

    private mutating func collect(_ out: ConnectionOutputBuffer) {
        for record in out.records {
            records.append(record)
            switch record {
            case .connectionRemoved(let removed):
                connLines.append(ConnLog.line(removed.summary, addl: removed.summary.initialAddl))
            case .weird(let w):
                if case .connection(let connection) = w.scope {
                    let id = connection.id
                    weirdEvents.append(ConnLog.fixed6(w.time) + " conn_weird \(id.eventsDescription) name=\(w.name)")
                }
            default:
                break
            }
        }
    }

    /// The golden events.txt conn_weird lines whose name the connection layer raises.
    static func goldenConnectionLayerWeirds(_ corpus: String, mode: String) throws -> [String] {
        let names = Set(StandardWeird.allCases.map(\.rawValue))
        return try goldenLines(corpus, mode: mode, log: "events.txt").filter { line in
            guard line.contains(" conn_weird "), let range = line.range(of: " name=") else { return false }
            let name = String(line[range.upperBound...])
            return names.contains(name) || name.hasPrefix("UDP_datagram_length_mismatch(")
        }
    }

    /// A conn.log line reduced to the fields the connection layer owns: service
    /// and addl become `*`; reply-first UDP lines (`udp … SHR`) also mask the
    /// endpoints, as GOLDEN.md rule 2 does.
    static func connectionFields(_ line: String) -> String {
        var f = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard f.count >= 12 else { return line }
        f[4] = "*"
        if f[7] == "udp" && f[10] == "SHR" {
            f[2] = "*"; f[3] = "*"; f[5] = "*"; f[6] = "*"
        }
        return f[0 ..< 12].joined(separator: " ")
    }
}
