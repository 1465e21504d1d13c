#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws a `ProgressLine` on stderr, only when stderr is a terminal.
///
/// `observe` is meant for a hot loop's periodic callback: it looks at the clock
/// only every `checkEvery` calls, and formats a line only when one is due, so a
/// call costs a decrement most of the time. Silent (a no-op) when disabled.
public final class ProgressReporter {
    public let isEnabled: Bool
    private var line: ProgressLine
    private let checkEvery: Int
    private var countdown: Int
    private let descriptor: Int32

    /// - Parameters:
    ///   - label: first word of the line.
    ///   - quiet: the command's `--quiet`; disables the line.
    ///   - checkEvery: calls between two clock reads.
    ///   - descriptor: where to draw (stderr); the line appears only if it is a terminal.
    public init(label: String, quiet: Bool, checkEvery: Int = 1, descriptor: Int32 = 2) {
        isEnabled = !quiet && isatty(descriptor) == 1
        line = ProgressLine(label: label, startNanos: Self.monotonicNanos())
        self.checkEvery = max(1, checkEvery)
        countdown = self.checkEvery
        self.descriptor = descriptor
    }

    /// Redraws if enabled and due.
    @inline(__always)
    public func observe(_ snapshot: @autoclosure () -> ProgressSnapshot) {
        guard isEnabled else { return }
        countdown -= 1
        guard countdown <= 0 else { return }
        countdown = checkEvery
        if let text = line.update(snapshot(), nowNanos: Self.monotonicNanos()) { draw(text) }
    }

    /// Erases the line (if one was drawn) so the summary starts on a clean line.
    public func finish() {
        guard isEnabled else { return }
        let text = line.finish()
        if !text.isEmpty { draw(text) }
    }

    private func draw(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var rest = UnsafeRawBufferPointer(bytes)
            while !rest.isEmpty {
                let n = write(descriptor, rest.baseAddress, rest.count)
                if n <= 0 { break }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
        }
    }

    /// Sum of the sizes of `paths` (the ETA's total); files that cannot be stat'ed count 0.
    public static func totalFileBytes(_ paths: [String]) -> UInt64 {
        var total: UInt64 = 0
        for path in paths {
            var info = stat()
            if stat(path, &info) == 0 { total += UInt64(max(0, info.st_size)) }
        }
        return total
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    public static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
