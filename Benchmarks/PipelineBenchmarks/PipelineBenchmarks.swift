import Benchmark
import Foundation

/// Benchmarks the issues "Connection layer" and "Sun RPC" ask for, each read as a
/// ratio measured in the same run (and, for the paired rows, in the same
/// iteration, so load from other processes hits both sides alike):
///
/// - decode (+ connection tracking), with and without the `port 111` filter,
///   against the bare libpcap `pcap_next_ex` loop over the same file, with the
///   malloc counter beside the packet count (decode must not allocate per packet);
/// - the RPC fixed-prefix parser, SIMD vs its scalar twin, over real headers;
/// - the whole engine (full policy) on an RPC-heavy file against libpcap.
///
/// Results and commands: Benchmarks/RESULTS.md.
let benchmarks: @Sendable () -> Void = {
    let inputs: PipelineInputs
    let headers: RPCHeaderSet
    do {
        inputs = try PipelineInputs.prepare()
        headers = try RPCHeaderSet(traces: inputs.corpusTraces)
    } catch {
        fatalError("cannot prepare benchmark inputs: \(error)")
    }
    let branches = headers.branchCounts
    print("PipelineBenchmarks: \(headers.count) RPC headers from \(inputs.corpusTraces.count) corpora "
        + "(>= 32 B: \(branches.full), 24 ..< 32 B: \(branches.partial), < 24 B: \(branches.short))")

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident] + PipelineMetric.file,
        units: PipelineMetric.exactUnits,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 12)

    // Decode + connection tracking vs libpcap (issue "Connection layer").
    Benchmark("mix: libpcap pcap_next_ex loop") { benchmark in
        benchmark.record(try Baseline.libpcap(inputs.mix), baseline: nil)
    }
    let stages: [(String, StagePass.Options)] = [
        ("mix: decode, no filter", .init(filter: nil, trackConnections: false)),
        ("mix: port 111 filter + decode", .init(filter: "port 111", trackConnections: false)),
        ("mix: decode + connections, no filter", .init(filter: nil, trackConnections: true)),
        ("mix: port 111 filter + decode + connections", .init(filter: "port 111", trackConnections: true)),
    ]
    for (name, options) in stages {
        Benchmark(name) { benchmark in
            // libpcap first, then the stage, in the same iteration.
            let baseline = try Baseline.libpcap(inputs.mix)
            benchmark.record(try StagePass.run(inputs.mix, options), baseline: baseline)
        }
    }

    // Whole pipeline on an RPC-heavy file (issue "Sun RPC").
    Benchmark("nasty: libpcap pcap_next_ex loop") { benchmark in
        benchmark.record(try Baseline.libpcap(inputs.nasty), baseline: nil)
    }
    // Seconds per iteration: a longer budget so the percentiles have a few samples.
    let engineConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident] + PipelineMetric.file,
        units: PipelineMetric.exactUnits, warmupIterations: 1, scalingFactor: .one,
        maxDuration: .seconds(15), maxIterations: 5)
    Benchmark("nasty: engine replay, full policy, output discarded", configuration: engineConfiguration) { benchmark in
        let baseline = try Baseline.libpcap(inputs.nasty)
        benchmark.record(try EnginePass.run(inputs.nasty), baseline: baseline)
    }
    if ProcessInfo.processInfo.environment["RPCREPLAY_BENCH_LOGS"] == "1" {
        Benchmark("nasty: engine replay, full policy, logs written", configuration: engineConfiguration) { benchmark in
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("rpcreplay-pipeline-bench-logs-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let baseline = try Baseline.libpcap(inputs.nasty)
            benchmark.record(try EnginePass.run(inputs.nasty, logDirectory: directory), baseline: baseline)
        }
    }

    // RPC fixed-prefix parser: SIMD vs scalar twin (issue "Sun RPC").
    let passes = max(1, 4_000_000 / max(headers.count, 1))
    let prefixConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal] + PipelineMetric.prefix,
        units: PipelineMetric.exactUnits,
        warmupIterations: 2, scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 20)
    Benchmark("rpc prefix: vector parse", configuration: prefixConfiguration) { benchmark in
        var sink: UInt64 = 0
        let seconds = PrefixSweep.vector(headers, passes: passes, sink: &sink)
        blackHole(sink)
        benchmark.recordHeaders(vector: seconds, scalar: nil, count: headers.count * passes)
    }
    Benchmark("rpc prefix: scalar parse", configuration: prefixConfiguration) { benchmark in
        var sink: UInt64 = 0
        let seconds = PrefixSweep.scalar(headers, passes: passes, sink: &sink)
        blackHole(sink)
        benchmark.recordHeaders(vector: nil, scalar: seconds, count: headers.count * passes)
    }
    // Both parsers in every iteration, alternating which goes first.
    Benchmark("rpc prefix: vector vs scalar, paired", configuration: prefixConfiguration) { benchmark in
        var sink: UInt64 = 0
        let vectorFirst = benchmark.currentIteration % 2 == 0
        var vector = 0.0, scalar = 0.0
        if vectorFirst { vector = PrefixSweep.vector(headers, passes: passes, sink: &sink) }
        scalar = PrefixSweep.scalar(headers, passes: passes, sink: &sink)
        if !vectorFirst { vector = PrefixSweep.vector(headers, passes: passes, sink: &sink) }
        blackHole(sink)
        benchmark.recordHeaders(vector: vector, scalar: scalar, count: headers.count * passes)
    }
}

/// Custom metrics (ordo-one's values are integers, hence the units).
enum PipelineMetric {
    static let rate = BenchmarkMetric.custom("file MB/s", polarity: .prefersLarger, useScalingFactor: false)
    static let packets = BenchmarkMetric.custom("packets read", polarity: .prefersLarger, useScalingFactor: false)
    static let processed = BenchmarkMetric.custom("packets past filter", polarity: .prefersLarger, useScalingFactor: false)
    static let libpcapRate = BenchmarkMetric.custom("libpcap MB/s, same iteration", polarity: .prefersLarger, useScalingFactor: false)
    static let percentOfLibpcap = BenchmarkMetric.custom("% of libpcap rate", polarity: .prefersLarger, useScalingFactor: false)
    static let file = [rate, packets, processed, libpcapRate, percentOfLibpcap]

    static let vectorPicoseconds = BenchmarkMetric.custom("vector ps/header", polarity: .prefersSmaller, useScalingFactor: false)
    static let scalarPicoseconds = BenchmarkMetric.custom("scalar ps/header", polarity: .prefersSmaller, useScalingFactor: false)
    static let vectorRate = BenchmarkMetric.custom("vector M headers/s", polarity: .prefersLarger, useScalingFactor: false)
    static let scalarRate = BenchmarkMetric.custom("scalar M headers/s", polarity: .prefersLarger, useScalingFactor: false)
    /// scalar time / vector time in percent: >= 100 means the vector parser is at least as fast.
    static let speedup = BenchmarkMetric.custom("vector speed-up %", polarity: .prefersLarger, useScalingFactor: false)
    static let prefix = [vectorPicoseconds, scalarPicoseconds, vectorRate, scalarRate, speedup]

    /// Counts printed as they are (no K/M rounding): malloc totals are read
    /// against packet counts, picoseconds against each other.
    static var exactUnits: [BenchmarkMetric: BenchmarkUnits] {
        Dictionary(
            uniqueKeysWithValues: ([BenchmarkMetric.mallocCountTotal] + file + prefix).map { ($0, .count) })
    }
}

extension Benchmark {
    func record(_ pass: Pass, baseline: Pass?) {
        let rate = Double(pass.fileBytes) / pass.seconds / 1e6
        measurement(PipelineMetric.rate, Int(rate))
        measurement(PipelineMetric.packets, Int(pass.packets))
        measurement(PipelineMetric.processed, Int(pass.processed))
        if let baseline {
            let libpcapRate = Double(baseline.fileBytes) / baseline.seconds / 1e6
            measurement(PipelineMetric.libpcapRate, Int(libpcapRate))
            measurement(PipelineMetric.percentOfLibpcap, Int((100 * rate / libpcapRate).rounded()))
        }
    }

    func recordHeaders(vector: Double?, scalar: Double?, count: Int) {
        if let vector {
            measurement(PipelineMetric.vectorPicoseconds, Int((vector / Double(count) * 1e12).rounded()))
            measurement(PipelineMetric.vectorRate, Int((Double(count) / vector / 1e6).rounded()))
        }
        if let scalar {
            measurement(PipelineMetric.scalarPicoseconds, Int((scalar / Double(count) * 1e12).rounded()))
            measurement(PipelineMetric.scalarRate, Int((Double(count) / scalar / 1e6).rounded()))
        }
        if let vector, let scalar {
            measurement(PipelineMetric.speedup, Int((100 * scalar / vector).rounded()))
        }
    }
}
