import CaptureIO

/// A packet timestamp in the two forms the connection layer needs.
///
/// The reference keeps time as an IEEE double computed from a microsecond pcap
/// record (`tv_sec + tv_usec / 1e6`); every comparison, timer and printed
/// duration derives from that double, so it is what the tracker computes with.
/// The exact capture timestamp rides along for callers that order or display
/// packets with full precision.
public struct PacketTime: Sendable, Hashable {
    /// Seconds as the reference computes them.
    public var seconds: Double
    /// The capture timestamp as read from the file.
    public var exact: CaptureTimestamp

    @inlinable
    public init(seconds: Double, exact: CaptureTimestamp) {
        self.seconds = seconds
        self.exact = exact
    }

    /// Derives the reference's double from a capture timestamp.
    ///
    /// The goldens were produced from microsecond pcaps, so sub-microsecond
    /// digits are dropped (as converting a nanosecond capture to classic pcap
    /// does) before the `tv_sec + tv_usec / 1e6` computation.
    @inlinable
    public init(_ timestamp: CaptureTimestamp) {
        let micros = Double(timestamp.nanoseconds / 1000)
        self.seconds = Double(timestamp.seconds) + micros / 1e6
        self.exact = timestamp
    }

    /// A time given only as reference seconds (tests, synthetic input); the exact
    /// form is derived by rounding to the nearest microsecond.
    @inlinable
    public init(seconds: Double) {
        self.seconds = seconds
        let whole = seconds.rounded(.down)
        var micros = ((seconds - whole) * 1e6).rounded()
        var wholeSeconds = Int64(whole)
        if micros >= 1e6 { micros -= 1e6; wholeSeconds += 1 }
        self.exact = CaptureTimestamp(seconds: wholeSeconds, nanoseconds: UInt32(micros) * 1000)
    }
}
