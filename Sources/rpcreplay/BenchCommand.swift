#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CaptureIO

/// `rpcreplay bench`: the reader's throughput as ratios to same-run C baselines.
///
/// Absolute rates depend on the machine and its load; a ratio to a bare libpcap
/// loop, raw libzstd and a memory walk measured in the same run, on the same
/// bytes, interleaved, does not (much). Targets are therefore stated as ratios.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure reader throughput against libpcap, raw libzstd and a memory walk in the same run.",
        discussion: """
            Each file is read once to warm the page cache, then every probe runs once per \
            repetition, interleaved, and the median is reported. zstd files are also \
            decompressed to a temporary file (in TMPDIR) so libpcap and the memory walk see \
            the same stream. Ratios are reader throughput over baseline throughput (> 1: the \
            reader is faster).
            """)

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Option(name: .customLong("repeat"), help: "Repetitions of every probe; the median is reported.")
    var repeatCount = 5

    @Option(help: "Decompression threads of the main reader probe (default: the reader's default).")
    var threads: Int?

    @Argument(help: "Capture files: pcap, pcapng, or either compressed with zstd.")
    var files: [String]

    func validate() throws {
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let mainThreads = threads ?? ReaderOptions().decompressionThreads
        let loadAtStart = Self.loadAverage()
        var reports: [BenchFileReport] = []
        var failed = false
        for path in files {
            let input: BenchInput
            do {
                input = try BenchInput(path: path)
            } catch {
                Self.printError("rpcreplay bench: \(error)")
                failed = true
                continue
            }
            defer { input.cleanUp() }
            let report = measure(input, mainThreads: mainThreads)
            if !report.mismatches.isEmpty || report.errors["reader"] != nil { failed = true }
            reports.append(report)
        }
        let report = BenchReport(
            repeatCount: repeatCount, files: reports, peakRSSBytes: Self.peakRSSBytes(),
            loadAverage: [loadAtStart, Self.loadAverage()])
        print(json ? try report.jsonText() : report.tableText(), terminator: json ? "\n" : "")
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

    func measure(_ input: BenchInput, mainThreads: Int) -> BenchFileReport {
        let plan = Self.plan(for: input, mainThreads: mainThreads)
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
        return BenchSummary(input: input, plan: plan, samples: samples, errors: errors).report()
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
