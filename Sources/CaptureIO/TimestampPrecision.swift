/// Resolution of the timestamps a writer stores (pcap magic / pcapng `if_tsresol`).
public enum TimestampPrecision: String, Sendable, CaseIterable {
    case micro
    case nano

    /// Sub-second ticks per second.
    @inlinable public var ticksPerSecond: UInt64 { self == .nano ? 1_000_000_000 : 1_000_000 }

    /// The sub-second part of `timestamp` in this precision's ticks (truncated).
    @inlinable public func fraction(of timestamp: CaptureTimestamp) -> UInt32 {
        self == .nano ? timestamp.nanoseconds : timestamp.nanoseconds / 1000
    }

    /// True when storing `timestamp` at this precision drops digits.
    @inlinable public func truncates(_ timestamp: CaptureTimestamp) -> Bool {
        self == .micro && timestamp.nanoseconds % 1000 != 0
    }
}

/// Why writing a capture file failed.
public struct CaptureWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file being written.
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
