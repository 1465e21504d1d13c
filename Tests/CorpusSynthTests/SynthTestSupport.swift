import CaptureIO
import CorpusSynth
import Foundation
import XCTest

/// Temporary files for one test, removed at tear-down.
final class SynthScratch {
    let directory: String

    init() {
        directory = NSTemporaryDirectory() + "corpus-synth-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Synthesizes a corpus into `name` and returns the path and the generator's summary.
    func synth(_ name: String, bytes: UInt64, seed: UInt64, rpcShare: Double = 0.02) throws -> (String, CorpusSynthSummary) {
        let target = path(name)
        let summary = try CorpusSynthesizer(
            path: target, configuration: CorpusSynthConfiguration(targetBytes: bytes, seed: seed, rpcShare: rpcShare)
        ).run()
        return (target, summary)
    }
}

/// Frame bytes of every packet and of those the BPF expression accepts, read with `CaptureReader`.
func filteredFrameBytes(_ path: String, expression: String) throws -> (all: UInt64, matched: UInt64, packets: UInt64) {
    let reader = try CaptureReader(path: path)
    let filter = try BPFFilter(expression: expression)
    var all: UInt64 = 0, matched: UInt64 = 0, packets: UInt64 = 0
    while let packet = try reader.next() {
        packets += 1
        all += UInt64(packet.capturedLength)
        if filter.matches(packet) { matched += UInt64(packet.capturedLength) }
    }
    return (all, matched, packets)
}
