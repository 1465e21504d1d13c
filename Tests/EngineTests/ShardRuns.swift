import CaptureIO
import Engine
import Foundation
import XCTest

/// Replays one input with several shard counts and compares every log byte for byte
/// with the one-shard run.
struct ShardRuns {
    static let logNames = ["conn.log", "weird.log", "notice.log", "alarm.log", "events.log"]

    let scratch: URL
    let paths: [String]
    let label: String

    /// The run with `shards` shards (on threads unless `threads` is false).
    @discardableResult
    func replay(mode: String, shards: Int, threads: Bool = true, tag: String = "",
                configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> (URL, EngineReport) {
        let directory = scratch.appendingPathComponent("\(label)-\(mode)-\(shards)-\(threads ? "t" : "i")\(tag)")
        let run = try EngineTestSupport.replay(paths, mode: mode, into: directory) {
            $0.shardCount = shards
            $0.usesThreads = threads
            configure(&$0)
        }
        return (directory, run.report)
    }

    /// Every log of `other` equals the one of `reference`, byte for byte.
    static func assertSameLogs(_ reference: URL, _ other: URL, _ what: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        for name in logNames {
            let left = try EngineTestSupport.bytes(reference.appendingPathComponent(name))
            let right = try EngineTestSupport.bytes(other.appendingPathComponent(name))
            if left != right {
                let a = String(decoding: left, as: UTF8.self).split(separator: "\n")
                let b = String(decoding: right, as: UTF8.self).split(separator: "\n")
                let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
                XCTFail("\(what): \(name) differs (\(a.count) vs \(b.count) lines); first difference at line "
                        + "\(first.map { "\($0.offset + 1): \($0.element.0) | \($0.element.1)" } ?? "end")",
                        file: file, line: line)
            }
        }
    }

    /// Replays with one shard, then with each of `counts` (threaded, and the first
    /// also interleaved on one thread), asserting identical logs. With `interleaved`
    /// the one-shard run is also repeated without threads (the sequential path,
    /// which a sharded run's fallback uses) and must agree as well.
    /// - Returns: the one-shard output directory and each run's report by shard count.
    @discardableResult
    func assertShardCountsAgree(mode: String, counts: [Int] = [2, 3, 4, 8], interleaved: Bool = true,
                                file: StaticString = #filePath, line: UInt = #line)
        throws -> (reference: URL, reports: [Int: EngineReport]) {
        let (one, oneReport) = try replay(mode: mode, shards: 1)
        var reports = [1: oneReport]
        if interleaved {
            let (sequential, report) = try replay(mode: mode, shards: 1, threads: false)
            XCTAssertEqual(report.output, oneReport.output, "\(label)/\(mode) 1 shard without threads: output counters",
                           file: file, line: line)
            try Self.assertSameLogs(one, sequential, "\(label)/\(mode) 1 shard without threads", file: file, line: line)
        }
        for (index, count) in counts.enumerated() {
            let (many, report) = try replay(mode: mode, shards: count)
            reports[count] = report
            XCTAssertEqual(report.packetsRead, oneReport.packetsRead, file: file, line: line)
            XCTAssertEqual(report.output, oneReport.output, "\(label)/\(mode) \(count) shards: output counters",
                           file: file, line: line)
            try Self.assertSameLogs(one, many, "\(label)/\(mode) \(count) shards", file: file, line: line)
            if interleaved && index == 0 {
                let (turns, _) = try replay(mode: mode, shards: count, threads: false)
                try Self.assertSameLogs(one, turns, "\(label)/\(mode) \(count) shards on one thread",
                                        file: file, line: line)
            }
        }
        return (one, reports)
    }
}

extension TraceBuilder {
    /// Writes the trace into `directory` and returns its path.
    func written(to directory: URL, name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try write(to: path)
        return path
    }
}

extension TraceBuilder.Endpoint {
    /// Client `index` of a numbered family: 10.a.b.c with a fixed high port per client.
    static func client(_ index: Int, port: UInt16 = 40000) -> Self {
        Self(address: [10, UInt8(index >> 16 & 0xff), UInt8(index >> 8 & 0xff), UInt8(index & 0xff)],
             port: port &+ UInt16(index % 20000))
    }

    static let portmapper = Self(address: [172, 16, 0, 1], port: 111)
}
