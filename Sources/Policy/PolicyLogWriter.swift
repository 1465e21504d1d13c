#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PacketDecoding

/// A buffered append-only text file (one line per record). Lines are built in
/// `pending` and reach the file with one `fwrite` per ~64 KiB.
public final class LogFileWriter {
    private var file: UnsafeMutablePointer<FILE>?
    public let path: String
    /// Bytes not yet written; append a line's text, then call `endLine()`.
    public let pending = LineBuffer(capacity: LogFileWriter.flushThreshold + 4096)

    static let flushThreshold = 1 << 16

    /// Creates (truncates) the file.
    public init(path: String) throws(LogWriterError) {
        self.path = path
        guard let handle = fopen(path, "w") else { throw LogWriterError(path: path, errno: errno) }
        file = handle
    }

    public func writeLine(_ line: String) {
        pending.append(line)
        endLine()
    }

    /// Terminates the line under construction in `pending`.
    @inline(__always)
    public func endLine() {
        pending.append(byte: 0x0a)
        if pending.count >= Self.flushThreshold { flush() }
    }

    public func flush() {
        guard !pending.isEmpty else { return }
        if let file {
            _ = fwrite(pending.bytes.baseAddress, 1, pending.count, file)
        }
        pending.removeAll()
    }

    public func close() {
        flush()
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
    private let times = TimeTextCache()

    public init(directory: String, format: LogFormat) throws(LogWriterError) {
        self.format = format
        weird = try LogFileWriter(path: directory + "/" + format.fileName("weird"))
        notice = try LogFileWriter(path: directory + "/" + format.fileName("notice"))
        alarm = try LogFileWriter(path: directory + "/" + format.fileName("alarm"))
    }

    /// Writes every weird and notice record of `output` (connection annotations are ignored).
    public func write(_ output: PolicyOutput) {
        guard format == .reference else {
            for record in output.weirds { weird.writeLine(JSONLogLines.weird(record)) }
            for record in output.notices {
                notice.writeLine(JSONLogLines.notice(record))
                if record.writesAlarm { alarm.writeLine(JSONLogLines.alarm(record)) }
            }
            return
        }
        for record in output.weirds {
            ReferenceLogLines.appendWeird(record, to: weird.pending, times: times)
            weird.endLine()
        }
        for record in output.notices {
            ReferenceLogLines.appendNotice(record, to: notice.pending, times: times)
            notice.endLine()
            if record.writesAlarm {
                ReferenceLogLines.appendAlarm(record, to: alarm.pending, times: times)
                alarm.endLine()
            }
        }
    }

    public func close() {
        weird.close()
        notice.close()
        alarm.close()
    }
}
