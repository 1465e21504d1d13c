import Foundation

/// The captures under the project's corpora/: every corpus trace and every reader
/// variant, sorted by path.
enum CorpusFiles {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("corpora")

    /// - Parameter damaged: include the deliberately truncated or corrupt variants.
    static func all(damaged: Bool) -> [String] {
        let fm = FileManager.default
        var files: [String] = []
        for name in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            let dir = root.appendingPathComponent(name)
            for file in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where !file.hasSuffix(".md") {
                let isVariant = name == "variants" && (damaged || !(file.contains("truncated") || file.contains("corrupt")))
                if file.hasPrefix("trace.") || isVariant { files.append(dir.appendingPathComponent(file).path) }
            }
        }
        return files
    }

    /// The reader variants only (corpora/variants), damaged ones included.
    static var variants: [String] { all(damaged: true).filter { $0.contains("/variants/") } }
}
