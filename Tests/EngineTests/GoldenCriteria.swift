import Connections
import Foundation
import GoldenDiff
import PacketDecoding

/// The three pass criteria a corpus replay is judged by, each producing a
/// readable difference report.
///
/// * Connection layer: conn.log on connection fields only (service and addl
///   masked, GOLDEN.md rule 2 masking for udp SHR), plus the weird events raised
///   by intake and the connection layer (events.log vs events.txt, as multisets).
/// * Sun RPC: `rpc_call`, `pm_*` and RPC-layer weird events (events.log vs
///   events.txt, as multisets).
/// * Policy: all four logs exactly as GOLDEN.md compares them.
enum GoldenCriteria {
    /// Weird names raised below the RPC layer (intake, connections, compressor).
    static let connectionLayerWeirdNames: Set<String> =
        Set(StandardWeird.allCases.map(\.rawValue)).union(PacketWeirdName.allCases.map(\.rawValue))

    /// `T EVENT ... name=NAME[ addl=...]` → (EVENT, NAME).
    static func eventAndWeirdName(_ line: String) -> (event: Substring, name: Substring?) {
        let fields = line.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2 else { return ("", nil) }
        guard let range = line.range(of: " name=") else { return (fields[1], nil) }
        var name = line[range.upperBound...]
        if let addl = name.range(of: " addl=") { name = name[..<addl.lowerBound] }
        return (fields[1], name)
    }

    static func isConnectionLayerWeird(_ line: String) -> Bool {
        let (event, name) = eventAndWeirdName(line)
        guard event == "conn_weird" || event == "flow_weird" || event == "net_weird", let name else { return false }
        return connectionLayerWeirdNames.contains(String(name)) || name.hasPrefix("UDP_datagram_length_mismatch(")
    }

    static func isRPCLayerEvent(_ line: String) -> Bool {
        let (event, _) = eventAndWeirdName(line)
        if event == "rpc_call" || event.hasPrefix("pm_") { return true }
        if event == "conn_weird" || event == "conn_weird_addl" { return !isConnectionLayerWeird(line) }
        return false
    }

    /// Criterion "Connection layer". Returns nil when it holds, else the report.
    static func connectionLayer(golden: String, output: String) throws -> String? {
        let conn = GoldenDiff.compareLog(
            named: "conn.log",
            golden: try LogLines(path: golden + "/conn.log"), output: try LogLines(path: output + "/conn.log"),
            options: .init(showLimit: 10, connFieldsOnly: true))
        let weirds = try filteredEvents(golden: golden, output: output, isConnectionLayerWeird)
        if conn.matches && weirds.matches { return nil }
        return describe(conn, "conn.log (connection fields only)") + describe(weirds, "connection-layer weird events")
    }

    /// Criterion "Sun RPC".
    static func sunRPC(golden: String, output: String) throws -> String? {
        let events = try filteredEvents(golden: golden, output: output, isRPCLayerEvent)
        return events.matches ? nil : describe(events, "rpc_call / pm_* / RPC weird events")
    }

    /// Criterion "Policy": conn, weird, notice and alarm logs.
    static func policy(golden: String, output: String) throws -> String? {
        let comparison = try GoldenDiff.compare(goldenDirectory: golden, outputDirectory: output,
                                                options: .init(showLimit: 10))
        return comparison.allMatch ? nil : comparison.report()
    }

    static func filteredEvents(golden: String, output: String, _ keep: (String) -> Bool) throws -> LogComparison {
        let goldenLines = try eventLines(golden + "/events.txt").filter(keep)
        let outputLines = try eventLines(output + "/events.log").filter(keep)
        return GoldenDiff.compareLog(
            named: "events.txt", golden: LogLines(text: lines(goldenLines)), output: LogLines(text: lines(outputLines)),
            options: .init(showLimit: 10))
    }

    static func eventLines(_ path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func lines(_ lines: [String]) -> String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ log: LogComparison, _ label: String) -> String {
        var text = "\(label): golden \(log.goldenCount) / matched \(log.matched) / missing \(log.missing) / extra \(log.extra)\n"
        for line in log.firstMissing { text += "  - " + String(decoding: line, as: UTF8.self) + "\n" }
        for line in log.firstExtra { text += "  + " + String(decoding: line, as: UTF8.self) + "\n" }
        return text
    }
}
