import Benchmark
import CBaselines
import CaptureIO
import Connections
import Foundation
import PacketDecoding

/// What one pass over a file did, timed by the pass itself (the harness's wall
/// clock includes its own bookkeeping).
struct Pass {
    var seconds: Double
    var fileBytes: UInt64
    /// Packets read from the file.
    var packets: UInt64
    /// Packets that reached the stage after the filter.
    var processed: UInt64 = 0
}

@inline(__always)
func nowSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func fileSize(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.uint64Value ?? 0
}

enum Baseline {
    struct Failure: Error { let what: String }

    /// The bare C `pcap_next_ex` loop over `path` (CBaselines).
    static func libpcap(_ path: String) throws -> Pass {
        let start = nowSeconds()
        let result = rr_pcap_loop(path, 0, nil, 0)
        let seconds = nowSeconds() - start
        guard result.status == 0 else { throw Failure(what: "libpcap cannot read \(path)") }
        return Pass(seconds: seconds, fileBytes: fileSize(path), packets: result.packets)
    }
}

/// The first stages of the pipeline as the engine's dispatcher and shard run
/// them: reader, optional capture filter, packet intake and, optionally, the
/// connection layer (clock advance + connection lookup/update per packet).
enum StagePass {
    struct Options {
        /// nil: no capture filter at all.
        var filter: String?
        var trackConnections: Bool
    }

    static func run(_ path: String, _ options: Options) throws -> Pass {
        let start = nowSeconds()
        let reader = try CaptureReader(path: path)
        var filter: BPFFilter? = nil
        if let expression = options.filter { filter = try BPFFilter(expression: expression) }
        let decoder = PacketDecoder()
        var tracker = ConnectionTracker()
        let output = ConnectionOutputBuffer()
        var packets: UInt64 = 0
        var processed: UInt64 = 0
        var datagrams: UInt64 = 0
        while let packet = try reader.next() {
            packets &+= 1
            if let filter, !filter.matches(packet) { continue }
            processed &+= 1
            let intake = decoder.decode(packet)
            guard options.trackConnections else {
                if case .datagram = intake { datagrams &+= 1 }
                continue
            }
            let time = PacketTime(packet.timestamp)
            output.removeAll()
            tracker.advanceClock(to: time, into: output)
            guard case .datagram(let datagram) = intake,
                  let segment = TransportSegment(datagram: datagram, time: time, packetSequence: packet.sequence)
            else { continue }
            datagrams &+= 1
            output.removeAll()
            tracker.process(segment, into: output)
        }
        if options.trackConnections {
            output.removeAll()
            tracker.finish(into: output)
        }
        let seconds = nowSeconds() - start
        blackHole(datagrams)
        blackHole(tracker.statistics)
        return Pass(seconds: seconds, fileBytes: reader.statistics.streamBytes, packets: packets, processed: processed)
    }
}
