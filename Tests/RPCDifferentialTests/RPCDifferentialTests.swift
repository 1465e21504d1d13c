import Foundation
import XCTest

/// Differential test against tshark: for every corpus trace, every RPC message
/// header our stack parsed (nochecksum mode, `port 111`) must appear in tshark's
/// dissection of the same frame with the same xid, message type, program,
/// version and procedure (for replies: those of the call it was matched with).
///
/// Frame mapping: a UDP message belongs to its datagram's frame (for a
/// fragmented datagram, the fragment that completed it). A TCP record belongs
/// to the frame whose delivery completed it; tshark reports a reassembled PDU
/// in the frame of its last segment, which is the same frame once tshark also
/// reassembles out-of-order segments (see `Tshark.arguments`).
///
/// Set `RPC_DIFF_VERBOSE=1` to list every message only tshark decodes.
final class RPCDifferentialTests: XCTestCase {
    static let corpora = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora")

    /// `corpora/*/trace.*`, by corpus name.
    static func traces() throws -> [(corpus: String, path: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: corpora.path).sorted()
        return names.compactMap { name in
            let dir = corpora.appendingPathComponent(name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            guard let trace = files.sorted().first(where: { $0.hasPrefix("trace.") }) else { return nil }
            return (name, dir.appendingPathComponent(trace).path)
        }
    }

    func testEveryCorpusAgreesWithTshark() throws {
        guard let tshark = Tshark.executable else {
            throw XCTSkip("tshark is not installed (make test installs it: Makefile DEB_PACKAGES)")
        }
        let traces = try Self.traces()
        XCTAssertGreaterThanOrEqual(traces.count, 12, "corpora/*/trace.* not found")
        var totalMatched = 0
        for (corpus, path) in traces {
            // tshark runs while our stack replays the same trace.
            let run = try Tshark.Run(trace: path, tshark: tshark)
            let replay = try StackReplay(path: path)
            let (theirs, continuations) = try run.messages()
            let comparison = Comparison(ours: replay.messages, tshark: theirs, replay: replay)
            print(comparison.summary(corpus, continuationPDUs: continuations))
            report(comparison)
            check(comparison, corpus: corpus)
            try checkPairingAgainstGolden(comparison, corpus: corpus)
            totalMatched += comparison.matched
        }
        XCTAssertGreaterThan(totalMatched, 5000, "the corpora hold thousands of RPC messages")
    }

    func check(_ comparison: Comparison, corpus: String) {
        // Whatever the corpus: every message we parsed has its tshark twin or a
        // documented tshark quirk, and nothing delivered goes unexplained.
        let expected = CorpusExpectation.byCorpus[corpus]
        let quirks = expected?.tsharkQuirks ?? [:]
        for d in comparison.disagreements where quirks[d.frame] == nil {
            XCTFail("\(corpus) frame \(d.frame): \(d.text)")
        }
        XCTAssertEqual(Set(comparison.disagreements.map(\.frame)), Set(quirks.keys),
                       "\(corpus): tshark quirk frames")
        XCTAssertEqual(comparison.tsharkOnly[.other] ?? 0, 0,
                       "\(corpus): tshark decodes messages in frames we delivered but did not parse: "
                       + "\(comparison.otherFrames)")
        guard let expected else {
            print("  \(corpus): no entry in CorpusExpectation.byCorpus; add one with its explanations")
            return
        }
        // The corpus's explained differences, reason by reason.
        for reason in TsharkOnlyReason.allCases {
            XCTAssertEqual(comparison.tsharkOnly[reason] ?? 0, expected.tsharkOnly[reason] ?? 0,
                           "\(corpus): tshark-only messages, \(reason.rawValue)")
        }
        XCTAssertEqual(comparison.unpairedHere, expected.unpairedHere, "\(corpus): replies unpaired here only")
        XCTAssertEqual(comparison.unpairedRepliesTsharkOmits, expected.unpairedRepliesTsharkOmits,
                       "\(corpus): unpaired replies tshark does not decode")
    }

    /// Our unpaired replies are the reference's: as many as the golden
    /// `unpaired_RPC_response` events (every unpaired reply in these corpora
    /// parses far enough to raise it).
    func checkPairingAgainstGolden(_ comparison: Comparison, corpus: String) throws {
        let events = Self.corpora.appendingPathComponent(corpus).appendingPathComponent("golden/nochecksum/events.txt")
        guard let text = try? String(contentsOf: events, encoding: .utf8) else { return }
        let golden = text.split(separator: "\n").filter { $0.hasSuffix(" name=unpaired_RPC_response") }.count
        XCTAssertEqual(comparison.unpairedHere + comparison.unpairedRepliesTsharkOmits, golden,
                       "\(corpus): unpaired replies vs golden unpaired_RPC_response events")
    }

    func report(_ comparison: Comparison) {
        guard ProcessInfo.processInfo.environment["RPC_DIFF_VERBOSE"] != nil else { return }
        for (m, reason) in comparison.tsharkOnlyMessages {
            print("  tshark only: frame \(m.frame) xid=0x\(String(m.xid, radix: 16)) type=\(m.messageType) "
                  + "prog=\(m.program.map(String.init) ?? "-") vers=\(m.version.map(String.init) ?? "-") "
                  + "proc=\(m.procedure.map(String.init) ?? "-"): \(reason.rawValue)")
        }
        for d in comparison.disagreements { print("  disagreement: frame \(d.frame): \(d.text)") }
    }
}
