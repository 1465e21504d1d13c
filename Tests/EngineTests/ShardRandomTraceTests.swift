import CorpusSynth
import Engine
import Foundation
import XCTest

/// Seeded random traces of many short portmapper conversations (UDP and TCP, whole,
/// half-open, reset, reply-first, retransmitted SYNs) with timestamp ties, gaps that
/// make timers fire in between, and, for some seeds, packets out of timestamp
/// order: 2, 3 and 5 shards give the one-shard logs byte for byte.
final class ShardRandomTraceTests: XCTestCase {
    typealias Endpoint = TraceBuilder.Endpoint

    /// A deterministic generator (the tests must not depend on the platform's random source).
    typealias Generator = SplitMix64

    struct Packet {
        var time: Double
        var emit: (inout TraceBuilder, Double) -> Void
    }

    static func conversation(_ index: Int, start: Double, _ random: inout Generator) -> [Packet] {
        let client = Endpoint.client(index)
        let server = Endpoint(address: [172, 16, 0, UInt8(1 + random.below(3))], port: 111)
        var t = start
        var packets: [Packet] = []
        func step(_ random: inout Generator) -> Double {
            // Mostly quick exchanges, sometimes long enough for the 5, 6 and 24 s timers.
            [0.0, 0.01, 0.02, 0.5, 5.5, 7.0, 25.0][random.below(7)]
        }
        let call = PortmapMessages.getportCall(xid: UInt32(index), program: 100_003, version: 3, protocolNumber: 6)
        let reply = PortmapMessages.getportReply(xid: UInt32(index), port: 2049)
        let syn = TraceBuilder.syn, ack = TraceBuilder.ack, fin = TraceBuilder.fin, rst = TraceBuilder.rst, psh = TraceBuilder.psh
        func tcp(_ from: Endpoint, _ to: Endpoint, _ flags: UInt8, _ seq: UInt32, _ ackNo: UInt32, _ payload: [UInt8] = []) {
            let time = t
            packets.append(Packet(time: time) { $0.tcp($1, from: from, to: to, flags: flags, seq: seq, ack: ackNo, payload: payload) })
        }
        func udp(_ from: Endpoint, _ to: Endpoint, _ payload: [UInt8]) {
            let time = t
            packets.append(Packet(time: time) { $0.udp($1, from: from, to: to, payload: payload) })
        }
        switch random.below(8) {
        case 0, 1:  // UDP call, maybe answered, maybe retransmitted
            udp(client, server, call)
            if random.below(3) > 0 { t += step(&random); udp(server, client, reply) }
            if random.below(4) == 0 { t += step(&random); udp(client, server, call) }
        case 2:  // reply first
            udp(server, client, reply)
        case 3, 4:  // whole TCP conversation
            let record = PortmapMessages.record(call), answer = PortmapMessages.record(reply)
            tcp(client, server, syn, 100, 0)
            t += step(&random); tcp(server, client, syn | ack, 900, 101)
            t += step(&random); tcp(client, server, ack | psh, 101, 901, record)
            t += step(&random); tcp(server, client, ack | psh, 901, 101 + UInt32(record.count), answer)
            if random.below(3) > 0 {
                t += step(&random); tcp(client, server, fin | ack, 101 + UInt32(record.count), 901 + UInt32(answer.count))
                t += step(&random); tcp(server, client, fin | ack, 901 + UInt32(answer.count), 102 + UInt32(record.count))
            }
        case 5:  // unanswered SYN, maybe retransmitted
            tcp(client, server, syn, 7, 0)
            if random.below(2) == 0 { t += step(&random); tcp(client, server, syn, 7, 0) }
        case 6:  // rejected or reset
            tcp(client, server, syn, 7, 0)
            t += step(&random); tcp(server, client, rst | ack, 0, 8)
        default:  // mid-stream
            tcp(client, server, ack, 5000, 6000)
            t += step(&random); tcp(server, client, ack, 6000, 5000)
        }
        return packets
    }

    static func makeTrace(seed: UInt64, conversations: Int, disorder: Bool) -> TraceBuilder {
        var random = Generator(seed: seed)
        var packets: [Packet] = []
        for index in 0 ..< conversations {
            packets += conversation(index, start: random.time(upTo: 120), &random)
        }
        packets.sort { $0.time < $1.time }
        if disorder {
            // A few packets move later in the file, keeping their (older) timestamps.
            for _ in 0 ..< conversations / 20 {
                let from = random.below(packets.count)
                let to = min(packets.count - 1, from + 1 + random.below(40))
                let moved = packets.remove(at: from)
                packets.insert(moved, at: to)
            }
        }
        var trace = TraceBuilder()
        for packet in packets { packet.emit(&trace, packet.time) }
        return trace
    }

    func testRandomTracesGiveTheSameBytesForAnyShardCount() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        var fallbacks = 0
        for seed: UInt64 in [1, 2, 3, 4, 5, 6] {
            let disorder = seed % 2 == 0
            let trace = Self.makeTrace(seed: seed, conversations: 400, disorder: disorder)
            let runs = ShardRuns(scratch: scratch, paths: [try trace.written(to: scratch, name: "random-\(seed).pcap")],
                                 label: "random-\(seed)")
            let mode = seed % 3 == 0 ? "nochecksum" : "default"
            let (one, reports) = try runs.assertShardCountsAgree(mode: mode, counts: [2, 3, 5], interleaved: true)
            XCTAssertGreaterThan(try EngineTestSupport.lines(one.appendingPathComponent("conn.log")).count, 300)
            for (count, report) in reports where count > 1 {
                if report.fallback != nil { fallbacks += 1 }
                if !disorder { XCTAssertNil(report.fallback, "seed \(seed), \(count) shards: in order, no fallback") }
            }
        }
        // Not an assertion on the fallback rate; printed so a change in it shows.
        print("random traces: \(fallbacks) of 18 sharded runs fell back to one shard")
    }
}

extension SplitMix64 {
    /// Times on a 10 ms grid, so that equal timestamps are common.
    mutating func time(upTo seconds: Double) -> Double { Double(below(Int(seconds * 100))) / 100 }
}
