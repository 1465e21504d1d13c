import Foundation

/// Median rate of one probe over the repetitions.
struct BenchRate: Codable {
    var label: String
    /// Decompression threads (reader probes only).
    var threads: Int?
    var seconds: Double
    /// Median CPU time (all threads); above `seconds` when threads ran in parallel.
    var cpuSeconds: Double
    var packets: UInt64?
    var packetsPerSecond: Double?
    /// Of uncompressed stream bytes, like every rate here.
    var gbitPerSecond: Double
    var bytesPerSecond: Double
    /// The reader's counters (reader probes only).
    var readerCounters: BenchReaderCounters?
}

/// Everything `bench` learned about one file.
struct BenchFileReport: Codable {
    var path: String
    var container: String
    /// Container inside the zstd payload (the file's own container otherwise).
    var streamContainer: String
    var fileBytes: UInt64
    var streamBytes: UInt64
    var zstdFrames: Int?
    var packets: UInt64?
    var capturedBytes: UInt64?
    /// Keys: reader, readerOneThread, readerTwoThreads, libpcap, rawZstd, rawZstdTwoThreads, memoryWalk, memcpy.
    var measurements: [String: BenchRate] = [:]
    /// Throughput of the reader divided by that of the named baseline (> 1: reader faster).
    var ratios: [String: Double] = [:]
    /// Probes that could not run, and why.
    var errors: [String: String] = [:]
    /// Disagreements between probes about packets or bytes (each one is a bug).
    var mismatches: [String] = []
    /// The replay pipeline stage by stage (nil if one of its runs failed: see `errors`).
    var pipeline: BenchPipelineReport?
    /// Peak RSS (ru_maxrss) of one `rpcreplay replay --shards N` of the file, in a child process.
    var replayPeakRSSBytes: UInt64?
}

/// The whole run, as `--json` prints it.
struct BenchReport: Codable {
    var repeatCount: Int
    var files: [BenchFileReport]
    /// getrusage ru_maxrss of the bench process (mapped file pages included).
    var peakRSSBytes: UInt64
    /// The bench process's peak RSS when it spawned the replays measured for
    /// `replayPeakRSSBytes` (before any probe ran). Linux may fold the spawning
    /// process's recorded peak into the child's ru_maxrss, so a replay figure
    /// close to this is an upper bound of the replay's own.
    var replaySpawnRSSBytes: UInt64
    /// 1-minute load average at the start and at the end: on a shared machine a
    /// load above the core count means the thread-scaling numbers are not trustworthy.
    var loadAverage: [Double]

    enum CodingKeys: String, CodingKey {
        case repeatCount = "repeat"
        case files, peakRSSBytes, replaySpawnRSSBytes, loadAverage
    }

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The human-readable table: one block per file, ratios beside the baselines.
    func tableText() -> String {
        var out = ""
        for file in files {
            out += "\(file.path): \(file.container)"
            if file.container == "zstd" {
                out += " (\(file.zstdFrames.map { "\($0) frame" + ($0 == 1 ? "" : "s") } ?? "? frames"))"
                out += " of \(file.streamContainer)"
            }
            out += ", \(Self.bytes(Double(file.fileBytes))) on disk, stream \(Self.bytes(Double(file.streamBytes)))"
            if let packets = file.packets { out += ", \(packets) packets" }
            out += "; median of \(repeatCount)\n"
            out += Self.pad("  probe", 30) + Self.pad("time", 11, right: true) + Self.pad("cpu", 11, right: true)
                + Self.pad("packets/s", 12, right: true)
                + Self.pad("Gbit/s", 9, right: true) + Self.pad("bytes/s", 15, right: true) + "   ratio\n"
            for key in Self.rowOrder {
                if let rate = file.measurements[key] {
                    out += Self.pad("  " + rate.label, 30)
                    out += Self.pad(Self.duration(rate.seconds), 11, right: true)
                    out += Self.pad(Self.duration(rate.cpuSeconds), 11, right: true)
                    out += Self.pad(rate.packetsPerSecond.map { Self.si($0) } ?? "-", 12, right: true)
                    out += Self.pad(String(format: "%.2f", rate.gbitPerSecond), 9, right: true)
                    out += Self.pad(Self.bytes(rate.bytesPerSecond) + "/s", 15, right: true)
                    for (ratioKey, label) in Self.ratioBeside[key] ?? [] {
                        if let value = file.ratios[ratioKey] { out += "   " + label + String(format: " %.2fx", value) }
                    }
                    out += "\n"
                    if let c = rate.readerCounters, file.container == "zstd" {
                        out += "      threads in use: \(c.decompressionThreadsInUse), frames: \(c.zstdFrames), "
                            + "windows filled: \(c.windowsFilled), copied: \(Self.bytes(Double(c.copiedBytes))) "
                            + "(records straddling windows)\n"
                    }
                } else if let why = file.errors[key] {
                    out += Self.pad("  " + key, 30) + "  not measured: \(why)\n"
                }
            }
            out += pipelineText(file)
            for mismatch in file.mismatches { out += "  MISMATCH: \(mismatch)\n" }
            out += "\n"
        }
        out += "peak RSS: \(Self.bytes(Double(peakRSSBytes))) (mapped file pages count as resident)\n"
        out += "load average: " + loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " at start, ")
            + " at end\n"
        return out
    }

    static let rowOrder = [
        "reader", "readerOneThread", "readerTwoThreads", "libpcap", "rawZstd", "rawZstdTwoThreads", "memoryWalk", "memcpy",
    ]
    /// Which ratios to print on which row: each baseline shows how the reader compares with it.
    static let ratioBeside: [String: [(String, String)]] = [
        "readerTwoThreads": [("twoThreadsOverOneThread", "2-thread/1-thread"), ("twoThreadsCPUOverWall", "cpu/wall")],
        "libpcap": [("readerOverLibpcap", "reader/libpcap")],
        "rawZstd": [("readerOverRawZstd", "reader/raw-zstd"), ("readerOneThreadOverRawZstd", "1-thread reader/raw-zstd")],
        "rawZstdTwoThreads": [
            ("rawTwoThreadsOverOneThread", "raw 2-thread/1-thread"),
            ("readerTwoThreadsOverRawTwoThreads", "2-thread reader/raw"),
        ],
        "memoryWalk": [("readerOverMemoryWalk", "reader/memory-walk")],
        "memcpy": [("readerOverMemcpy", "reader/memcpy")],
    ]

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    /// 0.131 s, or 2.41 ms for small files.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 1 { return String(format: "%.3f s", seconds) }
        if seconds >= 1e-3 { return String(format: "%.2f ms", seconds * 1e3) }
        return String(format: "%.1f us", seconds * 1e6)
    }

    /// 12.3 M, 4.56 k: packet rates.
    static func si(_ value: Double) -> String {
        if value >= 1e9 { return String(format: "%.2f G", value / 1e9) }
        if value >= 1e6 { return String(format: "%.2f M", value / 1e6) }
        if value >= 1e3 { return String(format: "%.2f k", value / 1e3) }
        return String(format: "%.0f", value)
    }

    /// Binary-prefixed byte counts: 1.00 GiB.
    static func bytes(_ value: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = value
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? String(format: "%.0f B", v) : String(format: "%.2f ", v) + units[i]
    }
}
