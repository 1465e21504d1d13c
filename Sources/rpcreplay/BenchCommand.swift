#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CaptureIO
import Engine
import Foundation

/// `rpcreplay bench`: the reader's throughput as ratios to same-run C baselines.
///
/// Absolute rates depend on the machine and its load; a ratio to a bare libpcap
/// loop, raw libzstd and a memory walk measured in the same run, on the same
/// bytes, interleaved, does not (much). Targets are therefore stated as ratios.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the reader and every replay stage against libpcap, raw libzstd and a memory walk in the same run.",
        discussion: """
            Each file is read once to warm the page cache, then every probe runs once per \
            repetition, interleaved, and the median is reported. zstd files are also \
            decompressed to a temporary file (in TMPDIR) so libpcap and the memory walk see \
            the same stream. Ratios are reader throughput over baseline throughput (> 1: the \
            reader is faster).

            The replay pipeline is timed cumulatively: reader only; + filter and decode; \
            + analysis (shards and merge); + policy (output discarded); + writing the logs \
            (to a temporary directory). A stage's cost is the difference of two consecutive \
            cumulative medians. Then one real `rpcreplay replay` runs as a child process for \
            its peak RSS.
            """)

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Option(name: .customLong("repeat"), help: "Repetitions of every probe; the median is reported.")
    var repeatCount = 5

    @Option(help: "Decompression threads of the main reader probe (default: the reader's default).")
    var threads: Int?

    @Option(help: "Shards of the pipeline's analyze stage (the stages run on overlapping threads for every N, so their costs are approximate).")
    var shards = 1

    @Option(name: .customLong("compare-shards"),
            help: ArgumentHelp("Also time the full pipeline on M shards and print the ratio shards M / shards N.",
                               valueName: "M"))
    var compareShards: Int?

    @Flag(name: .customLong("no-pipeline"), help: "Reader and baselines only: skip the pipeline stages and the replay for peak RSS.")
    var noPipeline = false

    @Option(help: ArgumentHelp("Write an SVG chart of stage times and baselines.", valueName: "FILE.svg"))
    var chart: String?

    @Argument(help: "Capture files: pcap, pcapng, or either compressed with zstd.")
    var files: [String]

    func validate() throws {
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard (1 ... 256).contains(shards) else { throw ValidationError("--shards must be between 1 and 256") }
        if let compareShards, !(1 ... 256).contains(compareShards) {
            throw ValidationError("--compare-shards must be between 1 and 256")
        }
    }

    func run() throws {
        let mainThreads = threads ?? ReaderOptions().decompressionThreads
        let loadAtStart = Self.loadAverage()
        var reports: [BenchFileReport] = []
        var failed = false
        // Replays for peak RSS first, while this process is small: Linux may carry
        // the spawning process's recorded peak RSS over into the child's ru_maxrss
        // (exec keeps the old address space's high-water mark), which must not be
        // the bench's own mappings of the input.
        let spawnRSS = Self.peakRSSBytes()
        let replayRSS: [Result<UInt64, Error>?] = files.map { path in
            noPipeline ? nil : Result { try BenchReplayRSS.measure(path: path, shards: shards) }
        }
        for (path, rss) in zip(files, replayRSS) {
            let input: BenchInput
            do {
                input = try BenchInput(path: path)
            } catch {
                Self.printError("rpcreplay bench: \(error)")
                failed = true
                continue
            }
            defer { input.cleanUp() }
            var report = measure(input, mainThreads: mainThreads)
            switch rss {
            case .success(let bytes): report.replayPeakRSSBytes = bytes
            case .failure(let error): report.errors["replayPeakRSS"] = "\(error)"
            case nil: break
            }
            if !report.mismatches.isEmpty || report.errors["reader"] != nil || (report.pipeline == nil && !noPipeline) { failed = true }
            reports.append(report)
        }
        let report = BenchReport(
            repeatCount: repeatCount, files: reports, peakRSSBytes: Self.peakRSSBytes(), replaySpawnRSSBytes: spawnRSS,
            loadAverage: [loadAtStart, Self.loadAverage()])
        print(json ? try report.jsonText() : report.tableText(), terminator: json ? "\n" : "")
        if let chart {
            do {
                try BenchChart(report: report).svg().write(toFile: chart, atomically: true, encoding: .utf8)
            } catch {
                Self.printError("rpcreplay bench: cannot write \(chart): \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// The probes for one file, in the order they run within a repetition.
    static func plan(for input: BenchInput, mainThreads: Int) -> [(key: String, probe: BenchProbe)] {
        var plan: [(String, BenchProbe)] = [("reader", .reader(threads: mainThreads))]
        if input.isMultiFrameZstd {
            // Scaling pair 1 vs N (N >= 2); reuse the main probe when it is one of them.
            let many = max(2, mainThreads)
            plan = [("readerOneThread", .reader(threads: 1)), ("readerTwoThreads", .reader(threads: many))]
            if mainThreads != 1 && mainThreads != many { plan.insert(("reader", .reader(threads: mainThreads)), at: 0) }
        }
        if input.streamContainer == .pcap || input.streamContainer == .pcapng { plan.append(("libpcap", .libpcap)) }
        if input.container == .zstd { plan.append(("rawZstd", .rawZstd)) }
        if input.isMultiFrameZstd {
            plan.append(("rawZstdTwoThreads", .rawZstdParallel(threads: max(2, mainThreads))))
        }
        plan.append(("memoryWalk", .memoryWalk))
        plan.append(("memcpy", .memcpy))
        return plan
    }

    /// The pipeline's cumulative runs (and the compared shard count's full run),
    /// after the reader probes and baselines of the same repetition.
    func pipelinePlan() -> [(key: String, probe: BenchProbe)] {
        if noPipeline { return [] }
        var plan = BenchStage.all.map { entry in
            (key: BenchStage.planKey(entry.stage, shards: shards), probe: BenchProbe.pipeline(stage: entry.stage, shards: shards))
        }
        if let compareShards, compareShards != shards {
            plan.append((BenchStage.planKey(.write, shards: compareShards), .pipeline(stage: .write, shards: compareShards)))
        }
        return plan
    }

    func measure(_ input: BenchInput, mainThreads: Int) -> BenchFileReport {
        let plan = Self.plan(for: input, mainThreads: mainThreads) + pipelinePlan()
        // The memcpy probe copies through one buffer the size of a reader window.
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: ReaderOptions().windowSize, alignment: 64)
        defer { window.deallocate() }
        var samples: [String: [BenchSample]] = [:]
        var errors: [String: String] = [:]
        for _ in 0..<repeatCount {
            for (key, probe) in plan where errors[key] == nil {
                do {
                    samples[key, default: []].append(try probe.run(on: input, window: window))
                } catch {
                    errors[key] = "\(error)"
                }
            }
        }
        for key in errors.keys { samples[key] = nil }  // a probe that failed once is not measured
        var report = BenchSummary(input: input, plan: plan, samples: samples, errors: errors).report()
        let (pipeline, mismatches) = BenchPipelineSummary(
            input: input, shards: shards, compareShards: compareShards == shards ? nil : compareShards,
            samples: samples, baselines: report.measurements
        ).report()
        report.pipeline = pipeline
        report.mismatches += mismatches
        if let packets = report.packets, let pipeline, pipeline.packets != packets {
            report.mismatches.append("pipeline read \(pipeline.packets) packets, the reader probe \(packets)")
        }
        return report
    }

    /// Messages go to standard error so `--json` output stays one object.
    static func printError(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// The 1-minute load average (0 if unavailable).
    static func loadAverage() -> Double {
        var load = [0.0]
        return getloadavg(&load, 1) == 1 ? load[0] : 0
    }

    static func peakRSSBytes() -> UInt64 {
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return UInt64(usage.ru_maxrss)  // bytes on Darwin
        #else
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return UInt64(usage.ru_maxrss) * 1024  // KiB on Linux
        #endif
    }
}
