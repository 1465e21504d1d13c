import Foundation

/// `bench --chart FILE.svg`: per file, the pipeline's stage times stacked on one
/// bar and the baselines on bars of the same time axis, so a reader sees at a
/// glance where a replay's time goes and what the floor is. Plain SVG text,
/// no fonts or scripts beyond the viewer's sans-serif.
struct BenchChart {
    let report: BenchReport

    static let width = 960.0
    static let labelWidth = 230.0
    static let plotWidth = 600.0
    static let barHeight = 28.0
    static let gap = 12.0
    /// One colour per stage, in pipeline order (colour-blind safe palette).
    static let stageColours = ["#4477AA", "#66CCEE", "#228833", "#CCBB44", "#EE6677"]
    static let baselineColour = "#999999"

    func svg() -> String {
        var body = ""
        var y = 0.0
        for file in report.files {
            let panel = Panel(file: file, repeatCount: report.repeatCount, loadAverage: report.loadAverage)
            body += "<g transform=\"translate(0,\(Self.number(y)))\">\n" + panel.svg() + "</g>\n"
            y += panel.height
        }
        if report.files.isEmpty { body = "<text x=\"20\" y=\"30\">no files measured</text>\n"; y = 50 }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(Self.width))" height="\(Self.number(y))" \
            viewBox="0 0 \(Self.number(Self.width)) \(Self.number(y))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="13">
            <rect width="100%" height="100%" fill="white"/>
            \(body)</svg>

            """
    }

    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Text content and attribute values: the five XML specials escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1e3
        return ms >= 100 ? String(format: "%.0f ms", ms) : ms >= 10 ? String(format: "%.1f ms", ms) : String(format: "%.2f ms", ms)
    }
}

/// One file's part of the chart.
private struct Panel {
    let file: BenchFileReport
    let repeatCount: Int
    let loadAverage: [Double]

    typealias C = BenchChart

    /// Bars: the pipeline (stacked), the compared shard count, then the baselines.
    private var baselineBars: [(label: String, seconds: Double)] {
        var bars: [(String, Double)] = []
        if let compared = file.pipeline?.compareShards { bars.append((compared.full.label, compared.full.seconds)) }
        for key in ["libpcap", "rawZstd", "memoryWalk"] {
            if let rate = file.measurements[key] { bars.append((rate.label, rate.seconds)) }
        }
        return bars
    }

    private var headerHeight: Double { 80 }
    private var barsHeight: Double { Double(1 + baselineBars.count) * (C.barHeight + C.gap) }
    private var legendHeight: Double { 30 + Double(BenchStage.all.count) * 20 }
    var height: Double { headerHeight + barsHeight + 28 + legendHeight + 24 }

    func svg() -> String {
        var out = ""
        // The path as given, shortened from the left if long.
        let name = file.path.count > 70 ? "..." + file.path.suffix(67) : file.path
        guard let pipeline = file.pipeline, let full = pipeline.full else {
            return "<text x=\"20\" y=\"30\" font-size=\"16\">\(C.escape(name)): pipeline not measured</text>\n"
        }
        // Title: file and shards; then the key ratios; then what was measured.
        let shardText = "\(pipeline.shards) shard" + (pipeline.shards == 1 ? "" : "s")
        out += text(20, 24, "\(name): replay pipeline, \(shardText)", size: 16, weight: "bold")
        var ratios: [String] = []
        if let r = pipeline.ratios["fullOverLibpcap"] { ratios.append(String(format: "%.2fx the libpcap loop", r)) }
        if let r = pipeline.ratios["fullOverRawZstd"] { ratios.append(String(format: "%.2fx raw libzstd", r)) }
        if let r = pipeline.ratios["fullOverMemoryWalk"] { ratios.append(String(format: "%.2fx the memory walk", r)) }
        var keyLine = ratios.isEmpty ? "" : "throughput = " + ratios.joined(separator: ", ")
        if let r = pipeline.ratios["compareShardsOverShards"], let m = pipeline.compareShards?.shards {
            keyLine += String(format: "; shards %d / shards %d = %.2fx", m, pipeline.shards, r)
        }
        out += text(20, 44, keyLine, size: 13, weight: "bold", fill: "#333333")
        var detail = "\(file.container == "zstd" ? "zstd of " + file.streamContainer : file.container), "
            + "\(BenchReport.bytes(Double(file.streamBytes))) stream, \(pipeline.packets) packets "
            + "(\(pipeline.filteredPackets) pass the filter); median of \(repeatCount)"
        if let load = loadAverage.last { detail += String(format: "; load %.2f", load) }
        if pipeline.stagesOverlap { detail += "; stages overlap on threads (approximate)" }
        out += text(20, 62, detail, size: 12, fill: "#444444")

        let scaleMax = ([full.seconds] + baselineBars.map(\.seconds) + [stagesSum(pipeline)]).max() ?? 1
        let scale = C.plotWidth / max(scaleMax, 1e-9)
        var y = headerHeight
        // Pipeline bar, stacked by stage.
        out += text(C.labelWidth - 8, y + C.barHeight / 2 + 5, "pipeline (" + shardText + ")", anchor: "end", weight: "bold")
        var x = C.labelWidth
        for (index, entry) in BenchStage.all.enumerated() {
            guard let stage = pipeline.stages[entry.key] else { continue }
            let w = stage.seconds * scale
            out += "<rect x=\"\(C.number(x))\" y=\"\(C.number(y))\" width=\"\(C.number(w))\" height=\"\(C.number(C.barHeight))\" "
                + "fill=\"\(C.stageColours[index])\"><title>\(C.escape(entry.label)): \(C.milliseconds(stage.seconds))</title></rect>\n"
            if w >= 52 {
                let label = w >= 130 ? entry.label + " " + C.milliseconds(stage.seconds) : entry.label
                out += text(x + w / 2, y + C.barHeight / 2 + 5, label, anchor: "middle", size: 11,
                            fill: index == 0 ? "white" : "black")
            }
            x += w
        }
        out += text(x + 6, y + C.barHeight / 2 + 5, C.milliseconds(full.seconds), size: 12)
        y += C.barHeight + C.gap
        // Baselines (and the compared shard count) on the same axis.
        for bar in baselineBars {
            let w = bar.seconds * scale
            let isPipeline = bar.label.hasPrefix("full pipeline")
            out += text(C.labelWidth - 8, y + C.barHeight / 2 + 5, bar.label, anchor: "end")
            out += "<rect x=\"\(C.number(C.labelWidth))\" y=\"\(C.number(y + 4))\" width=\"\(C.number(w))\" "
                + "height=\"\(C.number(C.barHeight - 8))\" fill=\"\(isPipeline ? C.stageColours[4] : C.baselineColour)\""
                + (isPipeline ? " fill-opacity=\"0.6\"" : "") + "/>\n"
            var label = C.milliseconds(bar.seconds)
            if bar.seconds > 0, full.seconds > 0, !isPipeline {
                label += String(format: "  (pipeline throughput %.2fx this)", bar.seconds / full.seconds)
            }
            out += text(C.labelWidth + w + 6, y + C.barHeight / 2 + 5, label, size: 12)
            y += C.barHeight + C.gap
        }
        // Time axis.
        out += axis(y: y, scaleMax: scaleMax, scale: scale)
        y += 28
        // Legend: every stage with its time and share, legible however thin its segment.
        out += text(20, y + 14, "Stages (cost = difference of cumulative medians):", size: 12, weight: "bold")
        y += 24
        for (index, entry) in BenchStage.all.enumerated() {
            guard let stage = pipeline.stages[entry.key] else { continue }
            let share = full.seconds > 0 ? stage.seconds / full.seconds * 100 : 0
            out += "<rect x=\"24\" y=\"\(C.number(y + 2))\" width=\"12\" height=\"12\" fill=\"\(C.stageColours[index])\"/>\n"
            var line = "\(entry.label): \(C.milliseconds(stage.seconds)), " + String(format: "%.1f%%", share)
            if let pps = stage.packetsPerSecond { line += ", \(BenchReport.si(pps)) packets/s" }
            if pipeline.clampedStages.contains(entry.key) { line += " (negative difference, clamped to 0)" }
            out += text(42, y + 13, line, size: 12)
            y += 20
        }
        return out
    }

    private func stagesSum(_ pipeline: BenchPipelineReport) -> Double {
        pipeline.stages.values.reduce(0) { $0 + $1.seconds }
    }

    private func axis(y: Double, scaleMax: Double, scale: Double) -> String {
        var out = "<line x1=\"\(C.number(C.labelWidth))\" y1=\"\(C.number(y))\" x2=\"\(C.number(C.labelWidth + C.plotWidth))\" "
            + "y2=\"\(C.number(y))\" stroke=\"#333333\"/>\n"
        let step = Self.tickStep(scaleMax)
        var t = 0.0
        while t <= scaleMax * 1.0001 {
            let x = C.labelWidth + t * scale
            out += "<line x1=\"\(C.number(x))\" y1=\"\(C.number(y))\" x2=\"\(C.number(x))\" y2=\"\(C.number(y + 4))\" stroke=\"#333333\"/>\n"
            out += text(x, y + 17, Self.tickLabel(t, step: step), anchor: "middle", size: 10, fill: "#444444")
            t += step
        }
        return out
    }

    /// Milliseconds with as many decimals as the step needs: 0 ms, 50 ms, 0.5 ms.
    static func tickLabel(_ seconds: Double, step: Double) -> String {
        let decimals = max(0, Int((-log10(step * 1e3)).rounded(.up)))
        return String(format: "%.\(decimals)f ms", seconds * 1e3)
    }

    /// 1, 2 or 5 times a power of ten, giving at most 8 ticks.
    static func tickStep(_ maximum: Double) -> Double {
        guard maximum > 0 else { return 1 }
        let raw = maximum / 8
        let power = pow(10, floor(log10(raw)))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw { return factor * power }
        return 10 * power
    }

    private func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "start", size: Int = 13,
                      weight: String = "normal", fill: String = "black") -> String {
        "<text x=\"\(C.number(x))\" y=\"\(C.number(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" "
            + "font-weight=\"\(weight)\" fill=\"\(fill)\">\(C.escape(content))</text>\n"
    }
}
