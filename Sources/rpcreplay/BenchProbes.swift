#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBaselines
import CaptureIO
import Engine

/// One thing `bench` times. Every probe does the whole job from opening the
/// file to its end, so their times compare directly: the reader pays for its
/// mmap and page faults, libpcap for its stdio reads, raw zstd for nothing but
/// decompression.
enum BenchProbe: Hashable {
    /// `CaptureReader.next()` until the end, summing caplen.
    case reader(threads: Int)
    /// C `pcap_next_ex` loop over the uncompressed stream.
    case libpcap
    /// C `ZSTD_decompressStream` of the compressed file, output discarded.
    case rawZstd
    /// The same over independent frames on several C threads: the machine's
    /// own ceiling for parallel decompression.
    case rawZstdParallel(threads: Int)
    /// One word per cache line of the (freshly mapped) uncompressed stream.
    case memoryWalk
    /// memcpy of the uncompressed stream through one reader-sized window.
    case memcpy
    /// The replay engine up to and including `stage` (see `BenchPipeline`).
    case pipeline(stage: EngineStage, shards: Int)

    var label: String {
        switch self {
        case .reader(let threads): return threads == 1 ? "reader, 1 thread" : "reader, \(threads) threads"
        case .libpcap: return "libpcap pcap_next_ex loop"
        case .rawZstd: return "raw libzstd stream"
        case .rawZstdParallel(let threads): return "raw libzstd, \(threads) threads"
        case .memoryWalk: return "memory walk (64 B lines)"
        case .memcpy: return "memcpy into one window"
        case .pipeline(let stage, let shards): return "pipeline to \(stage), \(shards) shard" + (shards == 1 ? "" : "s")
        }
    }
}

/// What one run of a probe saw.
struct BenchSample {
    var seconds: Double
    /// Packets delivered (0 for byte-only probes).
    var packets: UInt64
    /// Sum of caplen (packet probes only).
    var capturedBytes: UInt64
    /// Uncompressed stream bytes processed.
    var streamBytes: UInt64
    /// What the reader counted (reader probes only).
    var counters: BenchReaderCounters? = nil
    /// User + system CPU time of the process during the probe.
    var cpuSeconds: Double = 0
    /// Packets that passed the capture filter (pipeline probes from the decode stage on).
    var filteredPackets: UInt64? = nil
}

/// The reader's own counters after a whole-file walk: what it copied, how many
/// windows and frames it went through and how many threads it really used.
struct BenchReaderCounters: Codable, Equatable {
    var copiedBytes: UInt64
    var windowsFilled: Int
    var zstdFrames: Int
    var zstdSkippableFrames: Int
    var skippedBlocks: UInt64
    var decompressionThreadsInUse: Int
}

/// User + system CPU seconds used by every thread of this process so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Darwin)
    getrusage(RUSAGE_SELF, &usage)
    #else
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Seconds on the monotonic clock.
@inline(__always)
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

extension BenchProbe {
    /// Runs the probe once over `input`.
    /// - Throws: `BenchFailure` (or the reader's `CaptureError`) if it cannot run.
    func run(on input: BenchInput, window: UnsafeMutableRawBufferPointer) throws -> BenchSample {
        // CPU time of the whole process (all threads) around the probe: on a
        // shared machine it tells whether a second thread added work or only
        // waited for a core, which wall time alone cannot.
        let cpuStart = processCPUSeconds()
        var sample = try runTimed(on: input, window: window)
        sample.cpuSeconds = processCPUSeconds() - cpuStart
        return sample
    }

    private func runTimed(on input: BenchInput, window: UnsafeMutableRawBufferPointer) throws -> BenchSample {
        switch self {
        case .reader(let threads): return try Self.readerWalk(input.path, threads: threads)
        case .libpcap: return try Self.libpcapLoop(input)
        case .rawZstd: return try Self.rawZstd(input, threads: 1)
        case .rawZstdParallel(let threads): return try Self.rawZstd(input, threads: threads)
        case .pipeline(let stage, let shards): return try BenchPipeline.run(input, stage: stage, shards: shards)
        case .memoryWalk, .memcpy:
            guard let stream = input.streamPath else { throw BenchFailure("no uncompressed stream") }
            let start = monotonicSeconds()
            let file = try MappedFile(path: stream)
            let sum = self == .memoryWalk
                ? rr_memory_walk(file.bytes.baseAddress, file.bytes.count)
                : rr_memcpy_chunks(file.bytes.baseAddress, file.bytes.count, window.baseAddress, window.count)
            let seconds = monotonicSeconds() - start
            _ = sum  // rr_* live in another module: the call cannot be dropped
            return BenchSample(seconds: seconds, packets: 0, capturedBytes: 0, streamBytes: UInt64(file.bytes.count))
        }
    }

    /// The walk every consumer of the reader does at least: next() to the end.
    private static func readerWalk(_ path: String, threads: Int) throws -> BenchSample {
        var options = ReaderOptions()
        options.decompressionThreads = threads
        let start = monotonicSeconds()
        let reader = try CaptureReader(path: path, options: options)
        var packets: UInt64 = 0
        var captured: UInt64 = 0
        while let packet = try reader.next() {
            packets &+= 1
            captured &+= UInt64(truncatingIfNeeded: packet.bytes.count)
        }
        let seconds = monotonicSeconds() - start
        let stats = reader.statistics
        return BenchSample(
            seconds: seconds, packets: packets, capturedBytes: captured, streamBytes: stats.streamBytes,
            counters: BenchReaderCounters(
                copiedBytes: stats.copiedBytes, windowsFilled: stats.windowsFilled, zstdFrames: stats.zstdFrames,
                zstdSkippableFrames: stats.zstdSkippableFrames, skippedBlocks: stats.skippedBlocks,
                decompressionThreadsInUse: reader.decompressionThreadsInUse))
    }

    private static func libpcapLoop(_ input: BenchInput) throws -> BenchSample {
        guard let stream = input.streamPath else { throw BenchFailure("no uncompressed stream") }
        var message = [CChar](repeating: 0, count: 512)
        let start = monotonicSeconds()
        let result = rr_pcap_loop(stream, 0, &message, message.count)
        let seconds = monotonicSeconds() - start
        guard result.status == 0 else {
            let text = message.withUnsafeBufferPointer { buffer in
                String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            throw BenchFailure("libpcap: " + text)
        }
        return BenchSample(
            seconds: seconds, packets: result.packets, capturedBytes: result.captured_bytes,
            streamBytes: input.streamBytes)
    }

    private static func rawZstd(_ input: BenchInput, threads: Int) throws -> BenchSample {
        let start = monotonicSeconds()
        let file = try MappedFile(path: input.path)
        let produced = threads == 1
            ? rr_zstd_decompress(file.bytes.baseAddress, file.bytes.count)
            : rr_zstd_decompress_parallel(file.bytes.baseAddress, file.bytes.count, Int32(threads))
        let seconds = monotonicSeconds() - start
        guard produced >= 0 else { throw BenchFailure("raw libzstd: corrupt input") }
        return BenchSample(seconds: seconds, packets: 0, capturedBytes: 0, streamBytes: UInt64(produced))
    }
}
