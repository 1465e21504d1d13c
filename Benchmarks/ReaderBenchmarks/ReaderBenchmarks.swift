import Benchmark
import CBaselines
import CaptureIO
import Foundation

/// Reader throughput beside the same-run C baselines (see CBaselines.h), plus
/// the malloc counter: a whole-file walk must allocate a small constant
/// (reader set-up), never something proportional to the packet count printed
/// beside it.
///
/// Each iteration processes the whole file. Compare the rows pairwise; the
/// ratios and their targets are printed by `rpcreplay bench` (make bench).
let benchmarks: @Sendable () -> Void = {
    let inputs: BenchmarkInputs
    do {
        inputs = try BenchmarkInputs.prepare()
    } catch {
        fatalError("cannot generate benchmark inputs: \(error)")
    }
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, StreamMetric.rate, StreamMetric.packets],
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 12)

    Benchmark("plain pcap: reader walk") { benchmark in
        benchmark.record(try ReaderWalk.run(inputs.plain, threads: 1))
    }
    Benchmark("plain pcap: libpcap pcap_next_ex loop") { benchmark in
        benchmark.record(try Baseline.libpcap(inputs.plain))
    }
    Benchmark("plain pcap: memory walk") { benchmark in
        benchmark.record(try Baseline.memoryWalk(inputs.plain))
    }

    Benchmark("zstd 1 frame: raw libzstd") { benchmark in
        benchmark.record(try Baseline.rawZstd(inputs.singleFrame))
    }
    Benchmark("zstd multi-frame: raw libzstd") { benchmark in
        benchmark.record(try Baseline.rawZstd(inputs.multiFrame))
    }
    // The machine's ceiling for the reader's 2-thread/1-thread ratio.
    Benchmark("zstd multi-frame: raw libzstd, 2 threads") { benchmark in
        benchmark.record(try Baseline.rawZstd(inputs.multiFrame, threads: 2))
    }
    // The zstd reader is registered only once CaptureReader can open zstd input,
    // so the suite runs (plain part) before that lands.
    guard ReaderWalk.canRead(inputs.singleFrame) else {
        print("ReaderBenchmarks: CaptureReader cannot read zstd yet; zstd reader benchmarks skipped")
        return
    }
    Benchmark("zstd 1 frame: reader walk") { benchmark in
        benchmark.record(try ReaderWalk.run(inputs.singleFrame, threads: 1))
    }
    Benchmark("zstd multi-frame: reader walk, 1 thread") { benchmark in
        benchmark.record(try ReaderWalk.run(inputs.multiFrame, threads: 1))
    }
    Benchmark("zstd multi-frame: reader walk, 2 threads") { benchmark in
        benchmark.record(try ReaderWalk.run(inputs.multiFrame, threads: 2))
    }
}

/// Custom metrics: stream throughput and the packets each iteration delivered.
enum StreamMetric {
    /// MB (10^6 bytes) of uncompressed stream per second.
    static let rate = BenchmarkMetric.custom("stream MB/s", polarity: .prefersLarger, useScalingFactor: false)
    /// Packets per iteration, to read the malloc count against.
    static let packets = BenchmarkMetric.custom("packets", polarity: .prefersLarger, useScalingFactor: false)
}

/// What one pass over a file did, timed by the pass itself (the harness's
/// wall clock includes its own bookkeeping).
struct Pass {
    var seconds: Double
    var streamBytes: UInt64
    var packets: UInt64
}

extension Benchmark {
    func record(_ pass: Pass) {
        measurement(StreamMetric.rate, Int(Double(pass.streamBytes) / pass.seconds / 1e6))
        measurement(StreamMetric.packets, Int(pass.packets))
    }
}

enum ReaderWalk {
    static func run(_ path: String, threads: Int) throws -> Pass {
        var options = ReaderOptions()
        options.decompressionThreads = threads
        let start = DispatchTime.now().uptimeNanoseconds
        let reader = try CaptureReader(path: path, options: options)
        var packets: UInt64 = 0
        var captured: UInt64 = 0
        while let packet = try reader.next() {
            packets &+= 1
            captured &+= UInt64(truncatingIfNeeded: packet.bytes.count)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        blackHole(captured)
        return Pass(seconds: seconds, streamBytes: reader.statistics.streamBytes, packets: packets)
    }

    static func canRead(_ path: String) -> Bool {
        guard let reader = try? CaptureReader(path: path) else { return false }
        return (try? reader.next()) != nil
    }
}

enum Baseline {
    struct Failure: Error { let what: String }

    static func libpcap(_ path: String) throws -> Pass {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = rr_pcap_loop(path, 0, nil, 0)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard result.status == 0 else { throw Failure(what: "libpcap cannot read \(path)") }
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber
        return Pass(seconds: seconds, streamBytes: size?.uint64Value ?? 0, packets: result.packets)
    }

    static func memoryWalk(_ path: String) throws -> Pass {
        let start = DispatchTime.now().uptimeNanoseconds
        let file = try MappedFile(path: path)
        blackHole(rr_memory_walk(file.bytes.baseAddress, file.bytes.count))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Pass(seconds: seconds, streamBytes: UInt64(file.bytes.count), packets: 0)
    }

    static func rawZstd(_ path: String, threads: Int32 = 1) throws -> Pass {
        let start = DispatchTime.now().uptimeNanoseconds
        let file = try MappedFile(path: path)
        let produced = threads == 1
            ? rr_zstd_decompress(file.bytes.baseAddress, file.bytes.count)
            : rr_zstd_decompress_parallel(file.bytes.baseAddress, file.bytes.count, threads)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard produced >= 0 else { throw Failure(what: "corrupt zstd: \(path)") }
        return Pass(seconds: seconds, streamBytes: UInt64(produced), packets: 0)
    }
}
