/// Turns the raw samples of one file into medians, ratios and consistency checks.
struct BenchSummary {
    let input: BenchInput
    let plan: [(key: String, probe: BenchProbe)]
    let samples: [String: [BenchSample]]
    let errors: [String: String]

    func report() -> BenchFileReport {
        var report = BenchFileReport(
            path: input.path, container: input.container.rawValue,
            streamContainer: input.streamContainer.rawValue, fileBytes: input.fileBytes,
            streamBytes: input.streamBytes, zstdFrames: input.zstdFrames)
        report.errors = errors
        var medians: [String: Double] = [:]
        for (key, probe) in plan {
            if case .pipeline = probe { continue }  // BenchPipelineSummary's
            guard let runs = samples[key], let first = runs.first, errors[key] == nil else { continue }
            let seconds = Self.median(runs.map(\.seconds))
            medians[key] = seconds
            var threads: Int? = nil
            if case .reader(let t) = probe { threads = t }
            let isPacketProbe = threads != nil || probe == .libpcap
            // Rates are of stream bytes: the uncompressed bytes every probe covers.
            let streamBytes = Double(input.streamBytes)
            report.measurements[key] = BenchRate(
                label: input.container == .zstd || threads == nil ? probe.label : "reader",
                threads: input.container == .zstd ? threads : nil, seconds: seconds,
                cpuSeconds: Self.median(runs.map(\.cpuSeconds)),
                packets: isPacketProbe ? first.packets : nil,
                packetsPerSecond: isPacketProbe ? Double(first.packets) / seconds : nil,
                gbitPerSecond: streamBytes * 8 / seconds / 1e9, bytesPerSecond: streamBytes / seconds,
                readerCounters: first.counters)
            if isPacketProbe && report.packets == nil {
                report.packets = first.packets
                report.capturedBytes = first.capturedBytes
            }
            report.mismatches += mismatches(key: key, probe: probe, runs: runs, report: report)
        }
        let reader = medians["reader"] ?? medians["readerTwoThreads"]
        func ratio(_ name: String, _ baseline: String, over reader: Double?) {
            if let reader, let base = medians[baseline], reader > 0 { report.ratios[name] = base / reader }
        }
        ratio("readerOverLibpcap", "libpcap", over: reader)
        ratio("readerOverRawZstd", "rawZstd", over: reader)
        ratio("readerOverMemoryWalk", "memoryWalk", over: reader)
        ratio("readerOverMemcpy", "memcpy", over: reader)
        ratio("twoThreadsOverOneThread", "readerOneThread", over: medians["readerTwoThreads"])
        ratio("readerOneThreadOverRawZstd", "rawZstd", over: medians["readerOneThread"])
        // The machine's own parallel ceiling, and the reader against it.
        if let one = medians["rawZstd"], let two = medians["rawZstdTwoThreads"], two > 0 {
            report.ratios["rawTwoThreadsOverOneThread"] = one / two
        }
        ratio("readerTwoThreadsOverRawTwoThreads", "rawZstdTwoThreads", over: medians["readerTwoThreads"])
        // How many cores the multi-threaded reader really had: near 1 on a busy
        // machine, where its 2-thread/1-thread ratio says nothing about the code.
        if let two = report.measurements["readerTwoThreads"], two.seconds > 0 {
            report.ratios["twoThreadsCPUOverWall"] = two.cpuSeconds / two.seconds
        }
        return report
    }

    /// Every probe must agree on what the file holds; a disagreement is a reader bug.
    private func mismatches(key: String, probe: BenchProbe, runs: [BenchSample], report: BenchFileReport) -> [String] {
        var found: [String] = []
        let first = runs[0]
        if runs.contains(where: {
            $0.packets != first.packets || $0.streamBytes != first.streamBytes || $0.counters != first.counters
        }) {
            found.append("\(key): repetitions disagree")
        }
        if first.streamBytes != input.streamBytes {
            found.append("\(key): \(first.streamBytes) stream bytes, expected \(input.streamBytes)")
        }
        let isPacketProbe = probe == .libpcap || { if case .reader = probe { return true } else { return false } }()
        if isPacketProbe, let packets = report.packets, let captured = report.capturedBytes,
            first.packets != packets || first.capturedBytes != captured
        {
            found.append("\(key): \(first.packets) packets / \(first.capturedBytes) captured bytes, "
                + "another probe saw \(packets) / \(captured)")
        }
        return found
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
