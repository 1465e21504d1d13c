import CaptureIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `rpcreplay info` reports about one capture file: read once, front to
/// back, keeping only counters (memory does not grow with the file).
struct CaptureSummary {
    var file: String
    var format: CaptureFormat
    var byteOrder: CaptureByteOrder
    var compression: CaptureCompression
    /// Distinct link types in order of first appearance (a pcapng file lists one
    /// per interface; several interfaces often share one).
    var linkTypes: [LinkType]
    var packets: UInt64 = 0
    /// Sum of caplen: the bytes actually in the file.
    var dataBytes: UInt64 = 0
    /// Sum of the original (wire) lengths. capinfos' "data size" is this sum, not
    /// the caplen sum; the two differ only for packets cut by the snaplen.
    var wireBytes: UInt64 = 0
    /// Earliest and latest packet time; capinfos reports these (not the first
    /// and last record) as start and end.
    var earliest: CaptureTimestamp?
    var latest: CaptureTimestamp?
    var statistics: ReaderStatistics
    /// Why reading stopped early; every counter above covers the packets before it.
    var error: CaptureError?

    /// Reads all of `path`.
    /// - Throws: `CaptureError` only if the file cannot be opened at all; a fault
    ///   later on is kept in `error` next to what was read before it.
    init(path: String) throws(CaptureError) {
        let reader = try CaptureReader(path: path)
        file = path
        format = reader.format
        byteOrder = reader.byteOrder
        compression = reader.compression
        linkTypes = Self.distinct(reader.linkTypes)
        statistics = reader.statistics
        do {
            while let packet = try reader.next() {
                packets += 1
                dataBytes += UInt64(packet.capturedLength)
                wireBytes += UInt64(packet.wireLength)
                let ts = packet.timestamp
                if earliest.map({ ts < $0 }) ?? true { earliest = ts }
                if latest.map({ ts > $0 }) ?? true { latest = ts }
            }
        } catch {
            self.error = error
        }
        // pcapng sections met later can change these; report the final state.
        format = reader.format
        byteOrder = reader.byteOrder
        linkTypes = Self.distinct(reader.linkTypes)
        statistics = reader.statistics
    }

    private static func distinct(_ linkTypes: [LinkType]) -> [LinkType] {
        var seen = Set<LinkType>()
        return linkTypes.filter { seen.insert($0).inserted }
    }

    var json: JSONLine {
        var line = JSONLine()
        line.add("file", file)
        line.add("format", format.rawValue)
        line.add("byte_order", byteOrder.rawValue)
        line.add("compression", compression.rawValue)
        line.add("zstd_frames", statistics.zstdFrames)
        line.add("link_types", linkTypes.map(\.description))
        line.add("packets", packets)
        line.add("data_bytes", dataBytes)
        line.add("wire_bytes", wireBytes)
        line.add("first_ts", earliest?.decimalString)
        line.add("last_ts", latest?.decimalString)
        line.add("file_bytes", statistics.fileBytes)
        line.add("complete", error == nil)
        if let error {
            line.add("error", error.description)
            line.add("error_offset", error.offset)
            if let frame = error.zstdFrame {
                line.add("error_zstd_frame", frame.index)
                line.add("error_zstd_frame_offset", frame.compressedOffset)
            }
        }
        return line
    }

    var statisticsJSON: JSONLine {
        var stats = JSONLine()
        stats.add("copied_bytes", statistics.copiedBytes)
        stats.add("stream_bytes", statistics.streamBytes)
        stats.add("windows_filled", statistics.windowsFilled)
        stats.add("skipped_blocks", statistics.skippedBlocks)
        stats.add("zstd_skippable_frames", statistics.zstdSkippableFrames)
        return stats
    }

    /// A readable block; labels aligned, one fact per line.
    func humanReadable(withStatistics: Bool) -> String {
        var rows: [(String, String)] = []
        rows.append(("format", "\(format.rawValue) (\(byteOrder.rawValue))"))
        switch compression {
        case .none: rows.append(("compression", "none"))
        case .zstd:
            let frames = statistics.zstdFrames
            rows.append(("compression", "zstd, \(frames) frame\(frames == 1 ? "" : "s")"))
        }
        rows.append(("link types", linkTypes.map { "\($0) (\($0.rawValue))" }.joined(separator: ", ")))
        rows.append(("packets", String(packets)))
        rows.append(("data bytes", String(dataBytes)))
        rows.append(("wire bytes", String(wireBytes)))
        rows.append(("first packet", earliest.map(Self.render) ?? "n/a"))
        rows.append(("last packet", latest.map(Self.render) ?? "n/a"))
        rows.append(("file bytes", String(statistics.fileBytes)))
        if withStatistics {
            rows.append(("stream bytes", String(statistics.streamBytes)))
            rows.append(("copied bytes", String(statistics.copiedBytes)))
            rows.append(("windows filled", String(statistics.windowsFilled)))
            rows.append(("skipped blocks", String(statistics.skippedBlocks)))
            rows.append(("skippable frames", String(statistics.zstdSkippableFrames)))
        }
        if let error {
            rows.append(("INCOMPLETE", "reading stopped at byte \(error.offset): \(error.problemText)"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        var out = file
        for (label, value) in rows {
            out += "\n  " + label + ":" + String(repeating: " ", count: width - label.count + 1) + value
        }
        return out
    }

    /// Decimal seconds plus the UTC calendar time, e.g.
    /// `1514568131.621084000 (2017-12-29 17:22:11.621084000 UTC)`.
    static func render(_ ts: CaptureTimestamp) -> String {
        var seconds = time_t(ts.seconds)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return ts.decimalString }
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let fraction = ts.decimalString.split(separator: ".").last.map(String.init) ?? "000000000"
        let date = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
        let time = "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)"
        return "\(ts.decimalString) (\(date) \(time) UTC)"
    }
}
