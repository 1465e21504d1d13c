import Foundation

/// A scratch directory removed when the test ends.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("goldendiff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Creates `directory/name` with `text`.
    @discardableResult
    func write(_ text: String, to name: String, in directory: String) throws -> URL {
        let dir = url.appendingPathComponent(directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    func sub(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

extension Array where Element == [UInt8] {
    /// Lines as text, for readable assertions.
    var text: [String] { map { String(decoding: $0, as: UTF8.self) } }
}
