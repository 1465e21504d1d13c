import GoldenDiff
import XCTest

/// Runs the comparison over the real corpus goldens: each matches itself, and
/// a single changed character anywhere in a log is detected.
final class CorpusGoldenTests: XCTestCase {
    private static let corpora = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora")

    /// Every `corpora/NAME/golden/MODE` directory.
    private func goldenDirectories() throws -> [URL] {
        let fm = FileManager.default
        var result: [URL] = []
        for corpus in try fm.contentsOfDirectory(atPath: Self.corpora.path).sorted() {
            let golden = Self.corpora.appendingPathComponent(corpus).appendingPathComponent("golden")
            guard let modes = try? fm.contentsOfDirectory(atPath: golden.path) else { continue }
            result += modes.sorted().map { golden.appendingPathComponent($0) }
        }
        return result
    }

    func testEveryGoldenMatchesItself() throws {
        let directories = try goldenDirectories()
        XCTAssertGreaterThanOrEqual(directories.count, 20, "corpora not found at \(Self.corpora.path)")
        for directory in directories {
            let result = try GoldenDiff.compare(goldenDirectory: directory.path, outputDirectory: directory.path)
            XCTAssertTrue(result.allMatch, directory.path + "\n" + result.report())
            XCTAssertTrue(result.logs.allSatisfy(\.goldenFileExists), directory.path)
            XCTAssertEqual(result.logs.map(\.matched), result.logs.map(\.goldenCount))
            XCTAssertEqual(result.events?.matches, nil, "golden has events.txt, not events.log")
        }
    }

    /// Changes one character (the first digit of the timestamp, a field never
    /// masked) of the middle line of one log in a copy; exactly that log must
    /// report one missing and one extra line.
    func testOneCharacterChangeIsDetectedInEveryLog() throws {
        let fm = FileManager.default
        var mutations = 0
        for directory in try goldenDirectories() {
            for log in GoldenDiff.comparedLogs {
                let original = try Data(contentsOf: directory.appendingPathComponent(log))
                var lines = LogLines(contents: original).lines
                guard !lines.isEmpty else { continue }
                let tmp = try TemporaryDirectory()
                for name in GoldenDiff.comparedLogs {
                    try fm.copyItem(at: directory.appendingPathComponent(name), to: tmp.url.appendingPathComponent(name))
                }
                let middle = lines.count / 2
                let oldLine = lines[middle]
                lines[middle][0] = lines[middle][0] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
                let mutated = lines.map { $0 + [UInt8(ascii: "\n")] }.joined()
                try Data(mutated).write(to: tmp.url.appendingPathComponent(log))

                let result = try GoldenDiff.compare(goldenDirectory: directory.path, outputDirectory: tmp.path)
                let label = "\(directory.path) \(log)"
                XCTAssertFalse(result.allMatch, label)
                for comparison in result.logs {
                    if comparison.goldenName == log {
                        XCTAssertEqual([comparison.missing, comparison.extra], [1, 1], label)
                        XCTAssertEqual(comparison.firstMissing, [oldLine], label)
                        XCTAssertEqual(comparison.firstExtra, [lines[middle]], label)
                    } else {
                        XCTAssertTrue(comparison.matches, label)
                    }
                }
                mutations += 1
            }
        }
        XCTAssertGreaterThanOrEqual(mutations, 40)
    }
}
