import Engine

/// Turns the pipeline probes' samples into cumulative medians, stage costs
/// (differences of consecutive cumulative medians) and ratios to the baselines.
struct BenchPipelineSummary {
    let input: BenchInput
    let shards: Int
    let compareShards: Int?
    let samples: [String: [BenchSample]]
    /// The baselines' medians (`BenchFileReport.measurements`).
    let baselines: [String: BenchRate]

    /// The report, plus the disagreements found (each one a bug).
    func report() -> (BenchPipelineReport?, mismatches: [String]) {
        var mismatches: [String] = []
        var cumulative: [(key: String, label: String, seconds: Double, cpu: Double)] = []
        var packets: UInt64 = 0
        var filtered: UInt64 = 0
        for (stage, key, label) in BenchStage.all {
            let planKey = BenchStage.planKey(stage, shards: shards)
            guard let runs = samples[planKey], let first = runs.first else { return (nil, mismatches) }
            mismatches += Self.disagreements(planKey, runs)
            if stage == .read {
                packets = first.packets
            } else if first.packets != packets {
                mismatches.append("\(planKey): read \(first.packets) packets, the read stage \(packets)")
            }
            if let f = first.filteredPackets {
                if stage == .decode { filtered = f } else if f != filtered {
                    mismatches.append("\(planKey): \(f) packets passed the filter, filter+decode says \(filtered)")
                }
            }
            cumulative.append((key, label, BenchSummary.median(runs.map(\.seconds)),
                               BenchSummary.median(runs.map(\.cpuSeconds))))
        }
        var report = BenchPipelineReport(shards: shards, stagesOverlap: true, packets: packets, filteredPackets: filtered)
        var previous = (seconds: 0.0, cpu: 0.0)
        for (index, run) in cumulative.enumerated() {
            let entering = index < 2 ? packets : filtered
            report.cumulative[run.key] = rate("up to \(run.label)", seconds: run.seconds, cpu: run.cpu, packets: entering)
            let seconds = run.seconds - previous.seconds
            if seconds < 0 { report.clampedStages.append(run.key) }
            report.stages[run.key] = rate(run.label, seconds: max(0, seconds), cpu: max(0, run.cpu - previous.cpu),
                                          packets: entering)
            previous = (run.seconds, run.cpu)
        }
        let full = cumulative[cumulative.count - 1]
        let fullRate = rate(Self.fullLabel(shards), seconds: full.seconds, cpu: full.cpu, packets: packets)
        report.full = fullRate
        for (suffix, _, _) in BenchStage.baselines {
            if let r = fullRate.ratios["over" + suffix] { report.ratios["fullOver" + suffix] = r }
        }
        if let other = compareShards, let runs = samples[BenchStage.planKey(.write, shards: other)], let first = runs.first {
            mismatches += Self.disagreements(BenchStage.planKey(.write, shards: other), runs)
            if first.packets != packets || first.filteredPackets != filtered {
                mismatches.append("\(other) shards: \(first.packets) packets (\(first.filteredPackets ?? 0) filtered), "
                    + "\(shards) shards: \(packets) (\(filtered))")
            }
            let compared = rate(Self.fullLabel(other), seconds: BenchSummary.median(runs.map(\.seconds)),
                                cpu: BenchSummary.median(runs.map(\.cpuSeconds)), packets: packets)
            report.compareShards = BenchShardComparison(shards: other, full: compared)
            if compared.seconds > 0 { report.ratios["compareShardsOverShards"] = full.seconds / compared.seconds }
        }
        return (report, mismatches)
    }

    static func fullLabel(_ shards: Int) -> String {
        "full pipeline, \(shards) shard" + (shards == 1 ? "" : "s")
    }

    private func rate(_ label: String, seconds: Double, cpu: Double, packets: UInt64) -> BenchStageRate {
        let bytes = Double(input.streamBytes)
        var rate = BenchStageRate(
            label: label, seconds: seconds, cpuSeconds: cpu, packets: packets,
            packetsPerSecond: seconds > 0 ? Double(packets) / seconds : nil,
            gbitPerSecond: seconds > 0 ? bytes * 8 / seconds / 1e9 : nil,
            bytesPerSecond: seconds > 0 ? bytes / seconds : nil)
        for (suffix, measurement, _) in BenchStage.baselines {
            if let base = baselines[measurement], seconds > 0 { rate.ratios["over" + suffix] = base.seconds / seconds }
        }
        return rate
    }

    private static func disagreements(_ key: String, _ runs: [BenchSample]) -> [String] {
        let first = runs[0]
        return runs.contains { $0.packets != first.packets || $0.filteredPackets != first.filteredPackets }
            ? ["\(key): repetitions disagree"] : []
    }
}
