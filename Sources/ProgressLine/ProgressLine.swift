/// Where a long-running job stands: counts so far and, when known, the total.
public struct ProgressSnapshot: Sendable, Equatable {
    /// Packets handled so far.
    public var packets: UInt64
    /// Input bytes consumed so far (file or stream offsets).
    public var bytes: UInt64
    /// Bytes the whole job will consume (sum of file sizes), 0 when unknown.
    public var totalBytes: UInt64

    public init(packets: UInt64, bytes: UInt64, totalBytes: UInt64) {
        self.packets = packets
        self.bytes = bytes
        self.totalBytes = totalBytes
    }
}

/// The text of a terminal progress line and when to redraw it.
///
/// Pure logic (no I/O, no clock of its own): callers pass monotonic nanoseconds, so
/// throttling and ETA are testable. Redraws happen at most once per `interval`
/// (250 ms: about four a second), each starting with `\r` and ending with an
/// erase-to-end-of-line, so a shorter line leaves no debris behind.
public struct ProgressLine: Sendable {
    /// Minimum time between two redraws, in nanoseconds.
    public let interval: UInt64
    /// What the line is about ("replay", "synth").
    public let label: String
    private let startNanos: UInt64
    private var lastDrawNanos: UInt64?
    /// True once something was drawn, so `finish` knows whether to erase.
    public private(set) var hasDrawn = false

    public static let eraseToEndOfLine = "\u{1B}[K"

    /// - Parameters:
    ///   - label: first word of the line.
    ///   - startNanos: monotonic time the job started (rate and ETA are measured from it).
    ///   - interval: minimum nanoseconds between redraws.
    public init(label: String, startNanos: UInt64, interval: UInt64 = 250_000_000) {
        self.label = label
        self.startNanos = startNanos
        self.interval = interval
    }

    /// The line to write now, or nil when the last redraw is too recent.
    /// - Parameters:
    ///   - snapshot: progress so far.
    ///   - nowNanos: current monotonic time.
    /// - Returns: `\r` + text + erase-to-end-of-line, or nil.
    public mutating func update(_ snapshot: ProgressSnapshot, nowNanos: UInt64) -> String? {
        if let last = lastDrawNanos, nowNanos &- last < interval { return nil }
        // The first redraw also waits one interval: short jobs stay silent.
        if lastDrawNanos == nil && nowNanos &- startNanos < interval { return nil }
        lastDrawNanos = nowNanos
        hasDrawn = true
        return "\r" + render(snapshot, elapsedNanos: nowNanos &- startNanos) + Self.eraseToEndOfLine
    }

    /// What to write at the end: erase the line if one was drawn, else nothing.
    public func finish() -> String {
        hasDrawn ? "\r" + Self.eraseToEndOfLine : ""
    }

    /// `replay: 1.20M packets, 512.0 MB of 1.07 GB (48%), 301.2 MB/s, ETA 0:02`.
    public func render(_ snapshot: ProgressSnapshot, elapsedNanos: UInt64) -> String {
        let seconds = Double(elapsedNanos) / 1e9
        let rate = seconds > 0 ? Double(snapshot.bytes) / seconds : 0
        var text = "\(label): \(Self.count(snapshot.packets)) packets, \(Self.bytes(snapshot.bytes))"
        if snapshot.totalBytes > 0 {
            let done = min(snapshot.bytes, snapshot.totalBytes)
            text += " of \(Self.bytes(snapshot.totalBytes)) (\(done * 100 / snapshot.totalBytes)%)"
        }
        text += ", \(Self.bytes(UInt64(rate)))/s"
        if let eta = Self.eta(snapshot, rate: rate) { text += ", ETA \(Self.duration(eta))" }
        return text
    }

    /// Seconds left at the current average rate; nil without a total or a rate.
    public static func eta(_ snapshot: ProgressSnapshot, rate: Double) -> Double? {
        guard snapshot.totalBytes > 0, rate > 0 else { return nil }
        let left = snapshot.totalBytes > snapshot.bytes ? snapshot.totalBytes - snapshot.bytes : 0
        return Double(left) / rate
    }

    /// `987`, `12.3k`, `4.56M`, `1.23G`.
    public static func count(_ value: UInt64) -> String {
        scaled(Double(value), units: ["", "k", "M", "G", "T"], step: 1000)
    }

    /// Decimal units, as `--megabytes` and disk vendors count: `999 B`, `1.5 kB`, `512.0 MB`, `1.07 GB`.
    public static func bytes(_ value: UInt64) -> String {
        scaled(Double(value), units: [" B", " kB", " MB", " GB", " TB"], step: 1000)
    }

    /// `0:07`, `12:34`, `1:02:03`.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(min(seconds.rounded(.up), 359_999))
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h > 0 { return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)" }
        return "\(m):\(ss)"
    }

    private static func scaled(_ value: Double, units: [String], step: Double) -> String {
        var v = value
        var index = 0
        while v >= step && index < units.count - 1 {
            v /= step
            index += 1
        }
        if index == 0 { return "\(Int(v))\(units[0])" }
        // Three significant digits: 1.23, 12.3, 123.
        let digits = v < 10 ? 2 : (v < 100 ? 1 : 0)
        return fixed(v, digits: digits) + units[index]
    }

    private static func fixed(_ v: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int((v * scale).rounded())
        guard digits > 0 else { return "\(n)" }
        let whole = n / Int(scale)
        var fraction = String(n % Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return "\(whole).\(fraction)"
    }
}
