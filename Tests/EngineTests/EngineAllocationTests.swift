import Engine
import Foundation
import PacketDecodingAllocationCounter
import XCTest

/// The per-packet path (read, filter, intake, shard, merge, policy stage) does
/// not allocate: a trace with ten times more quiet packets costs no more heap
/// allocations than the short one. (Events, weirds and log lines do allocate:
/// they are rare next to packets.)
final class EngineAllocationTests: XCTestCase {
    let client = TraceBuilder.Endpoint(address: [10, 0, 0, 1], port: 40000)
    let server = TraceBuilder.Endpoint(address: [10, 0, 0, 2], port: 111)
    let other = TraceBuilder.Endpoint(address: [10, 0, 0, 3], port: 53)

    /// A handshake, then `count` pure ACKs (both directions) and `count` packets the
    /// capture filter rejects, all within a second of network time.
    func makeTrace(_ count: Int, at path: String) throws {
        var trace = TraceBuilder()
        trace.tcp(1.0, from: client, to: server, flags: TraceBuilder.syn, seq: 100, ack: 0)
        trace.tcp(1.0001, from: server, to: client, flags: TraceBuilder.syn | TraceBuilder.ack, seq: 900, ack: 101)
        for index in 0..<count {
            let time = 1.001 + Double(index) * 0.0001
            if index % 2 == 0 {
                trace.tcp(time, from: client, to: server, flags: TraceBuilder.ack, seq: 101, ack: 901)
            } else {
                trace.tcp(time, from: server, to: client, flags: TraceBuilder.ack, seq: 901, ack: 101)
            }
            trace.udp(time, from: client, to: other, payload: [1, 2, 3, 4])
        }
        try trace.write(to: path)
    }

    func allocations(replaying path: String, into directory: URL, shards: Int = 1) throws -> Int {
        var configuration = EngineConfiguration(verifyChecksums: true, shardCount: shards)
        // The counter watches the calling thread only: run the shards in turn on it.
        configuration.usesThreads = false
        let engine = try Engine(configuration: configuration)
        let sink = try LogDirectorySink(directory: directory.path)
        defer { sink.close() }
        rr_allocation_count_begin()
        let report = try engine.run(paths: [path], sink: sink)
        let count = rr_allocation_count_end()
        XCTAssertNil(report.failure)
        return count
    }

    func testQuietPacketsDoNotAllocate() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let short = scratch.appendingPathComponent("short.pcap").path
        let long = scratch.appendingPathComponent("long.pcap").path
        try makeTrace(300, at: short)
        try makeTrace(3000, at: long)
        // The first run pays one-time initialisations (libpcap, runtime metadata).
        guard try allocations(replaying: short, into: scratch.appendingPathComponent("warm-up")) >= 0 else {
            throw XCTSkip("allocation counter needs glibc")
        }
        let few = try allocations(replaying: short, into: scratch.appendingPathComponent("short"))
        let many = try allocations(replaying: long, into: scratch.appendingPathComponent("long"))
        // 5400 more packets; a handful of allocations may differ (capacity growth).
        XCTAssertLessThan(many - few, 20, "allocations: \(few) for 602 packets, \(many) for 6002 packets")
        let conn = try EngineTestSupport.lines(scratch.appendingPathComponent("long/conn.log"))
        XCTAssertEqual(conn.count, 1, "the quiet connection is still logged: \(conn)")
    }

    /// The same with three shards (in turn on the calling thread, which is the one the
    /// counter watches): the shards' clock ticks and the merge allocate nothing per
    /// packet either.
    func testQuietPacketsDoNotAllocateWithThreeShards() throws {
        let scratch = try EngineTestSupport.temporaryDirectory(for: self)
        let short = scratch.appendingPathComponent("short.pcap").path
        let long = scratch.appendingPathComponent("long.pcap").path
        try makeTrace(300, at: short)
        try makeTrace(3000, at: long)
        guard try allocations(replaying: short, into: scratch.appendingPathComponent("warm-up"), shards: 3) >= 0 else {
            throw XCTSkip("allocation counter needs glibc")
        }
        let few = try allocations(replaying: short, into: scratch.appendingPathComponent("short"), shards: 3)
        let many = try allocations(replaying: long, into: scratch.appendingPathComponent("long"), shards: 3)
        XCTAssertLessThan(many - few, 40, "allocations: \(few) for 602 packets, \(many) for 6002 packets")
    }
}
