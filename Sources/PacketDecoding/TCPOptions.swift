/// The TCP options the connection layer cares about.
public struct TCPOptions: Hashable, Sendable {
    /// Kind 2 (length ≥ 4).
    public var maximumSegmentSize: UInt16?
    /// Kind 3: the shift count byte as sent (not clamped; the reference stores it raw).
    public var windowScale: UInt8?
    /// Kind 4.
    public var sackPermitted = false

    public init(maximumSegmentSize: UInt16? = nil, windowScale: UInt8? = nil, sackPermitted: Bool = false) {
        self.maximumSegmentSize = maximumSegmentSize
        self.windowScale = windowScale
        self.sackPermitted = sackPermitted
    }
}

/// Outcome of walking a TCP header's options the way the reference does.
public enum TCPOptionsParseResult: Hashable, Sendable {
    /// The walk reached the end of the options (or an EOL).
    case parsed(TCPOptions)
    /// The reference's parser returns -1: a kind ≥ 2 without room for its length byte,
    /// a length of 0, or an option running past `th_off×4`. The compressor then raises
    /// the flow weird `corrupt_tcp_options` (SEMANTICS-CONN §2.4 step 4).
    case corrupt
    /// The options run past the captured bytes, so the reference would have read bytes
    /// that are not in the trace; `partial` holds what was found before that point and
    /// no weird is raised.
    case uncaptured(partial: TCPOptions)
}

extension TCPOptionsParseResult {
    /// The flow weird the connection compressor raises for this result, if any:
    /// `corrupt_tcp_options` for the packet's (src, dst).
    @inlinable
    public func weird(source: IPv4Address, destination: IPv4Address) -> PacketWeird? {
        guard case .corrupt = self else { return nil }
        return PacketWeird(.corruptTCPOptions, .flow(source: source, destination: destination))
    }
}

extension TCPHeader {
    /// Walks the options between byte 20 and `th_off×4`.
    ///
    /// Rules (reference parser): kinds 0 (EOL) and 1 (NOP) are one byte long; any other
    /// kind needs a length byte inside the options area, a non-zero length, and must fit
    /// in the area. A length of 1 for kind ≥ 2 is accepted and advances one byte. EOL ends
    /// the walk. The window-scale byte is read at option offset 2 whatever the length says,
    /// as the reference does (so a short kind-3 option reads the byte after it).
    /// - Returns: the parsed options, `.corrupt`, or `.uncaptured` for a snap-length cut.
    public func parseOptions() -> TCPOptionsParseResult {
        var found = TCPOptions()
        let end = headerLength
        let captured = segment.count
        var at = 20
        while at < end {
            guard at < captured else { return .uncaptured(partial: found) }
            let kind = segment[at]
            let length: Int
            if kind < 2 {
                length = 1
            } else {
                guard at + 1 < end else { return .corrupt }
                guard at + 1 < captured else { return .uncaptured(partial: found) }
                length = Int(segment[at + 1])
            }
            if length == 0 { return .corrupt }
            if at + length > end { return .corrupt }
            switch kind {
            case 2 where length >= 4:
                guard at + 4 <= captured else { return .uncaptured(partial: found) }
                found.maximumSegmentSize = segment.beUInt16(at: at + 2)
            case 3:
                guard at + 2 < captured else { return .uncaptured(partial: found) }
                found.windowScale = segment[at + 2]
            case 4:
                found.sackPermitted = true
            default:
                break
            }
            at += length
            if kind == 0 { break }
        }
        return .parsed(found)
    }
}
