import Connections
import CorpusSynth
import Engine
import Foundation
import Policy
import XCTest

/// Collects event names (events.log) and weird names as the policy raised them.
private final class EventCollector: EngineSink {
    var eventCounts: [String: Int] = [:]
    var weirdNames: [String: Int] = [:]

    func connection(_ summary: ConnectionSummary, annotation: ConnectionAnnotation) {}
    func policyOutput(_ output: PolicyOutput) {}
    func warning(_ text: String) {}
    func event(_ line: EventLine) {
        eventCounts[line.name, default: 0] += 1
        if line.name.hasSuffix("_weird") || line.name.hasSuffix("_weird_addl"), let range = line.text.range(of: "name=") {
            let name = line.text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            weirdNames[String(name), default: 0] += 1
        }
    }
}

/// The synthetic corpus through the real pipeline: portmapper events and the planted anomalies show up.
final class CorpusSynthReplayTests: XCTestCase {
    func testReplayRaisesPortmapEventsAndAnomalyWeirds() throws {
        let scratch = SynthScratch()
        let (path, summary) = try scratch.synth("replay.pcap", bytes: 3_000_000, seed: 2024, rpcShare: 0.25)
        let engine = try Engine(configuration: EngineConfiguration(recordEvents: true))
        let sink = EventCollector()
        let report = try engine.run(paths: [path], sink: sink)
        XCTAssertNil(report.failure)
        XCTAssertEqual(report.packetsRead, summary.packets)
        for event in ["pm_request_null", "pm_request_set", "pm_request_unset", "pm_request_getport",
                      "pm_request_dump", "pm_attempt_callit", "pm_bad_port", "rpc_call"] {
            XCTAssertGreaterThan(sink.eventCounts[event, default: 0], 0, event)
        }
        for weird in ["bad_pm_port", "unpaired_RPC_response", "bad_UDP_checksum", "bad_TCP_checksum", "bad_RPC"] {
            XCTAssertGreaterThan(sink.weirdNames[weird, default: 0], 0, weird)
        }
    }

    func testReplayBinaryRunsOnASynthCorpus() throws {
        let binary = ProcessInfo.processInfo.environment["RPCREPLAY_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? packageRoot() + "/.build/debug/rpcreplay"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "no rpcreplay binary at \(binary)")
        let scratch = SynthScratch()
        let corpus = scratch.path("bin.pcap")
        XCTAssertEqual(try run(binary, ["corpus", "synth", corpus, "--megabytes", "1", "--seed", "9", "--rpc-share", "0.2"]), 0)
        let out = scratch.path("out")
        XCTAssertEqual(try run(binary, ["replay", "--quiet", "--events", "--out", out, corpus]), 0)
        let events = try String(contentsOfFile: out + "/events.log", encoding: .utf8)
        XCTAssertTrue(events.contains(" pm_request_getport "))
        let weird = try String(contentsOfFile: out + "/weird.log", encoding: .utf8)
        XCTAssertTrue(weird.contains("unpaired_RPC_response"))

        // The command and the library make the same bytes from the same arguments.
        let (library, _) = try scratch.synth("lib.pcap", bytes: 1_000_000, seed: 9, rpcShare: 0.2)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: corpus)), try Data(contentsOf: URL(fileURLWithPath: library)))

        XCTAssertNotEqual(try run(binary, ["corpus", "synth", scratch.path("x.pcap"), "--megabytes", "1", "--seed", "1", "--rpc-share", "1.5"]), 0)
        XCTAssertNotEqual(try run(binary, ["corpus", "synth", scratch.path("x.pcap"), "--megabytes", "0", "--seed", "1"]), 0)
        XCTAssertNotEqual(try run(binary, ["corpus", "synth", scratch.path("x.pcap"), "--megabytes", "1"]), 0, "--seed is required")
    }

    private func packageRoot() -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    private func run(_ binary: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
