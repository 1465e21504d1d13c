import Engine

/// Time and rates of one pipeline stage, of the full pipeline, or of one
/// cumulative run (everything up to a stage).
struct BenchStageRate: Codable {
    var label: String
    /// Median wall time (for a stage: the difference of two cumulative medians).
    var seconds: Double
    /// CPU time of every thread (same derivation): the "per core" view.
    var cpuSeconds: Double
    /// Packets entering the stage: all packets for read and filter+decode, the
    /// filtered ones after that (and all of them for the full pipeline).
    var packets: UInt64
    /// nil when the time is 0 (a stage that cost nothing measurable).
    var packetsPerSecond: Double?
    /// Of uncompressed stream bytes, like every rate of `bench`.
    var gbitPerSecond: Double?
    var bytesPerSecond: Double?
    /// Baseline time over this time (> 1: faster than the baseline over the same
    /// bytes). Keys: overLibpcap, overRawZstd (zstd input), overMemoryWalk.
    var ratios: [String: Double] = [:]
}

/// The full pipeline on another shard count (`--compare-shards M`).
struct BenchShardComparison: Codable {
    var shards: Int
    var full: BenchStageRate
}

/// The replay pipeline of one file, stage by stage (`--json`: `files[].pipeline`).
struct BenchPipelineReport: Codable {
    /// Shards of the analyze, policy and write stages (`--shards`).
    var shards: Int
    /// The stages run on overlapping threads (dispatcher, shards, merge, policy,
    /// writer: one shard too), so the differences of cumulative times only
    /// approximate each stage's cost. Always true since one shard is threaded;
    /// kept for readers of the JSON.
    var stagesOverlap: Bool
    /// Packets read, and those passing the capture filter.
    var packets: UInt64
    var filteredPackets: UInt64
    /// Median of each cumulative run (keys as in `stages`: read = reader only,
    /// filterDecode = up to the dispatcher, ..., write = the whole replay).
    var cumulative: [String: BenchStageRate] = [:]
    /// Each stage's own cost: keys read, filterDecode, analyze, policy, write.
    var stages: [String: BenchStageRate] = [:]
    /// Stages whose difference came out negative (noise) and was clamped to 0;
    /// the stage times then sum to more than `full`.
    var clampedStages: [String] = []
    /// The whole replay (= cumulative write).
    var full: BenchStageRate?
    var compareShards: BenchShardComparison?
    /// fullOverLibpcap, fullOverRawZstd, fullOverMemoryWalk: baseline time over
    /// full-pipeline time; compareShardsOverShards: full time on `shards` over
    /// full time on `compareShards.shards` (> 1: the compared count is faster).
    var ratios: [String: Double] = [:]
}

/// The stages in pipeline order, with their JSON keys and table labels.
enum BenchStage {
    static let all: [(stage: EngineStage, key: String, label: String)] = [
        (.read, "read", "read"),
        (.decode, "filterDecode", "filter+decode"),
        (.analyze, "analyze", "analyze"),
        (.policy, "policy", "policy"),
        (.write, "write", "write"),
    ]

    /// Plan key of the cumulative run up to `stage` on `shards` shards.
    static func planKey(_ stage: EngineStage, shards: Int) -> String {
        "pipeline.\(all[stage.rawValue].key).\(shards)"
    }

    /// Baselines a pipeline time is compared with: (ratio key suffix, measurement key, label).
    static let baselines: [(key: String, measurement: String, label: String)] = [
        ("Libpcap", "libpcap", "libpcap"),
        ("RawZstd", "rawZstd", "raw-zstd"),
        ("MemoryWalk", "memoryWalk", "memory-walk"),
    ]
}
