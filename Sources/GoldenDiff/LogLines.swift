import Foundation

/// One log file split into lines, kept as raw bytes.
///
/// Goldens are compared byte for byte (GOLDEN.md), so lines are never decoded
/// into `String` for comparison: Swift string equality is Unicode-canonical
/// (a precomposed and a decomposed "é" compare equal) and decoding would
/// repair invalid UTF-8. Strings appear only when a line is printed.
public struct LogLines: Sendable, Equatable {
    /// The lines in file order, without their terminating `\n`.
    public var lines: [[UInt8]]
    /// False when the file does not exist; it then counts as empty.
    public var fileExists: Bool

    /// - Parameters:
    ///   - lines: the lines in file order, without terminators.
    ///   - fileExists: whether the file was present.
    public init(lines: [[UInt8]], fileExists: Bool = true) {
        self.lines = lines
        self.fileExists = fileExists
    }

    /// Splits file contents at `\n`. A final `\n` ends the last line rather than
    /// starting an empty one; a last line without `\n` still counts; `\r` is
    /// kept (it is part of the bytes being compared).
    /// - Parameter contents: the whole file.
    public init<Bytes: Collection<UInt8>>(contents: Bytes) {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in contents {
            if byte == UInt8(ascii: "\n") {
                lines.append(current)
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { lines.append(current) }
        self.init(lines: lines, fileExists: true)
    }

    /// Convenience for tests and callers holding text.
    /// - Parameter text: the file contents as text (encoded as UTF-8).
    public init(text: String) {
        self.init(contents: Array(text.utf8))
    }

    /// Reads a log file; a missing file gives an empty, `fileExists == false` value.
    /// - Parameter path: the file to read.
    /// - Throws: when the file exists but cannot be read (a directory, no permission).
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            self.init(lines: [], fileExists: false)
            return
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        self.init(contents: data)
    }
}
