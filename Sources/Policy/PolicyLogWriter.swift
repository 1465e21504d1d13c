#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered append-only text file (one line per record).
public final class LogFileWriter {
    private var file: UnsafeMutablePointer<FILE>?
    public let path: String

    /// Creates (truncates) the file.
    public init(path: String) throws(LogWriterError) {
        self.path = path
        guard let handle = fopen(path, "w") else { throw LogWriterError(path: path, errno: errno) }
        file = handle
    }

    public func writeLine(_ line: String) {
        guard let file else { return }
        var line = line
        line.withUTF8 { bytes in
            _ = fwrite(bytes.baseAddress, 1, bytes.count, file)
        }
        fputc(0x0a, file)
    }

    public func close() {
        if let file { fclose(file) }
        file = nil
    }

    deinit { close() }
}

public struct LogWriterError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }
    public var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
}

/// Writes the policy's logs (weird, notice, alarm) into a directory in one format.
/// conn.log is written by the connection stage's formatter with the
/// `ConnectionAnnotation`s this stage returns.
public final class PolicyLogWriter {
    public let format: LogFormat
    private let weird: LogFileWriter
    private let notice: LogFileWriter
    private let alarm: LogFileWriter

    public init(directory: String, format: LogFormat) throws(LogWriterError) {
        self.format = format
        weird = try LogFileWriter(path: directory + "/" + format.fileName("weird"))
        notice = try LogFileWriter(path: directory + "/" + format.fileName("notice"))
        alarm = try LogFileWriter(path: directory + "/" + format.fileName("alarm"))
    }

    /// Writes every weird and notice record of `output` (connection annotations are ignored).
    public func write(_ output: PolicyOutput) {
        for record in output.weirds {
            weird.writeLine(format == .reference ? ReferenceLogLines.weird(record) : JSONLogLines.weird(record))
        }
        for record in output.notices {
            notice.writeLine(format == .reference ? ReferenceLogLines.notice(record) : JSONLogLines.notice(record))
            if record.writesAlarm {
                alarm.writeLine(format == .reference ? ReferenceLogLines.alarm(record) : JSONLogLines.alarm(record))
            }
        }
    }

    public func close() {
        weird.close()
        notice.close()
        alarm.close()
    }
}
