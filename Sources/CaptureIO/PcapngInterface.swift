/// One interface described by an Interface Description Block.
struct PcapngInterface: Sendable {
    var linkType: LinkType
    var snaplen: UInt32
    var resolution: PcapngTimestampResolution
    /// `if_tsoffset`: seconds added to every timestamp of this interface.
    var offsetSeconds: Int64
    /// Fast path for 10^-n units with n <= 9 (the common µs/ns cases):
    /// seconds = units / divisor, nanoseconds = remainder * multiplier. Zero otherwise.
    var divisor: UInt64 = 0
    var multiplier: UInt64 = 0

    init(linkType: LinkType, snaplen: UInt32, resolution: PcapngTimestampResolution, offsetSeconds: Int64) {
        self.linkType = linkType
        self.snaplen = snaplen
        self.resolution = resolution
        self.offsetSeconds = offsetSeconds
        if !resolution.isBinary && resolution.exponent <= 9 {
            divisor = PcapngTimestampResolution.powersOfTen[resolution.exponent]
            multiplier = PcapngTimestampResolution.powersOfTen[9 - resolution.exponent]
        }
    }

    @inline(__always)
    func timestamp(high: UInt32, low: UInt32) -> CaptureTimestamp {
        let units = UInt64(high) << 32 | UInt64(low)
        let seconds: UInt64
        let nanos: UInt32
        if divisor != 0 {
            let (q, r) = units.quotientAndRemainder(dividingBy: divisor)
            seconds = q
            nanos = UInt32(truncatingIfNeeded: r &* multiplier)
        } else {
            (seconds, nanos) = resolution.split(units)
        }
        // Wrapping like C's time_t arithmetic: a corrupt 64-bit count must not trap.
        return CaptureTimestamp(
            seconds: Int64(truncatingIfNeeded: seconds) &+ offsetSeconds, nanoseconds: nanos)
    }
}
