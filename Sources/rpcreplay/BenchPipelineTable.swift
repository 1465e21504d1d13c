/// The pipeline block of `bench`'s table.
extension BenchReport {
    func pipelineText(_ file: BenchFileReport) -> String {
        var out = ""
        // In pipeline order (plan keys sort by stage name otherwise).
        let order = BenchStage.all.map { "pipeline." + $0.key + "." }
        let pipelineErrors = file.errors.filter { $0.key.hasPrefix("pipeline.") }.sorted { a, b in
            let ia = order.firstIndex { a.key.hasPrefix($0) } ?? order.count
            let ib = order.firstIndex { b.key.hasPrefix($0) } ?? order.count
            return ia != ib ? ia < ib : a.key < b.key
        }
        for (key, why) in pipelineErrors { out += Self.pad("  " + key, 30) + "  not measured: \(why)\n" }
        if let pipeline = file.pipeline {
            out += "\n  replay pipeline, \(pipeline.shards) shard" + (pipeline.shards == 1 ? "" : "s")
                + ": \(pipeline.packets) packets read, \(pipeline.filteredPackets) pass the filter;"
                + " stage = difference of cumulative medians\n"
            if pipeline.stagesOverlap {
                out += "  (the stages overlap on threads, so stage costs are approximate; the full pipeline row is exact)\n"
            }
            out += Self.pad("  stage", 30) + Self.pad("time", 11, right: true) + Self.pad("cpu", 11, right: true)
                + Self.pad("packets/s", 12, right: true) + Self.pad("Gbit/s", 9, right: true) + Self.pad("bytes/s", 15, right: true)
                + Self.pad("share", 8, right: true) + "   ratio\n"
            let total = pipeline.full?.seconds ?? 0
            for entry in BenchStage.all {
                guard let stage = pipeline.stages[entry.key] else { continue }
                var line = Self.row(stage, share: total > 0 ? stage.seconds / total : nil, name: entry.label)
                if pipeline.clampedStages.contains(entry.key) { line += "   (negative difference, clamped to 0)" }
                out += line + "\n"
            }
            if let full = pipeline.full { out += Self.row(full, share: 1, name: "full") + "\n" }
            if let compared = pipeline.compareShards {
                var line = Self.row(compared.full, share: nil, name: "full")
                if let speedup = pipeline.ratios["compareShardsOverShards"] {
                    line += "   shards \(compared.shards) / shards \(pipeline.shards)" + String(format: " %.2fx", speedup)
                }
                out += line + "\n"
            }
        }
        if let rss = file.replayPeakRSSBytes {
            out += "  replay peak RSS: \(Self.bytes(Double(rss))) (rpcreplay replay --shards \(file.pipeline?.shards ?? 1) "
                + "in a child process, spawned when bench's RSS was \(Self.bytes(Double(replaySpawnRSSBytes))))\n"
        } else if let why = file.errors["replayPeakRSS"] {
            out += "  replay peak RSS: not measured: \(why)\n"
        }
        return out
    }

    /// One stage or full-pipeline line; its ratios to the baselines sit beside it.
    /// `name/libpcap 1.62x`: the stage's (or pipeline's) throughput over the baseline's.
    private static func row(_ rate: BenchStageRate, share: Double?, name: String) -> String {
        var out = pad("  " + rate.label, 30)
        out += pad(duration(rate.seconds), 11, right: true)
        out += pad(duration(rate.cpuSeconds), 11, right: true)
        out += pad(rate.packetsPerSecond.map { si($0) } ?? "-", 12, right: true)
        out += pad(rate.gbitPerSecond.map { String(format: "%.2f", $0) } ?? "-", 9, right: true)
        out += pad(rate.bytesPerSecond.map { bytes($0) + "/s" } ?? "-", 15, right: true)
        out += pad(share.map { String(format: "%.1f%%", $0 * 100) } ?? "", 8, right: true)
        let ratios = BenchStage.baselines.compactMap { baseline in
            rate.ratios["over" + baseline.key].map { name + "/" + baseline.label + String(format: " %.2fx", $0) }
        }
        if !ratios.isEmpty { out += "   " + ratios.joined(separator: ", ") }
        return out
    }
}
