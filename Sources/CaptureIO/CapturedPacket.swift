/// A capture timestamp with full nanosecond precision.
///
/// pcap stores microseconds or nanoseconds, pcapng any power of 10 or 2 per
/// interface; all are normalised to (seconds, nanoseconds) so nothing is lost for
/// nanosecond traces and the reference's `%.6f` rendering can be derived exactly.
public struct CaptureTimestamp: Hashable, Comparable, Sendable {
    public var seconds: Int64
    /// Always in `0 ..< 1_000_000_000`.
    public var nanoseconds: UInt32

    @inlinable
    public init(seconds: Int64, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.seconds != rhs.seconds ? lhs.seconds < rhs.seconds : lhs.nanoseconds < rhs.nanoseconds
    }

    /// Seconds as an IEEE double, as the reference computes `tv_sec + tv_usec / 1e6`.
    @inlinable
    public var doubleValue: Double { Double(seconds) + Double(nanoseconds) / 1e9 }

    /// Decimal seconds with all nine fractional digits, e.g. `"1700000000.036664000"`.
    public var decimalString: String {
        var frac = String(nanoseconds)
        frac = String(repeating: "0", count: 9 - frac.count) + frac
        if seconds < 0 && nanoseconds > 0 {
            // -0.5 s is stored as (seconds: -1, nanoseconds: 500_000_000).
            let whole = seconds + 1
            let f = String(1_000_000_000 - nanoseconds)
            let padded = String(repeating: "0", count: 9 - f.count) + f
            return (whole == 0 ? "-0" : String(whole)) + "." + padded
        }
        return String(seconds) + "." + frac
    }
}

/// A pcap/pcapng link type (the `LINKTYPE_*` value written in the file).
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    public static let fddi = LinkType(rawValue: 10)
    public static let raw = LinkType(rawValue: 101)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let loop = LinkType(rawValue: 108)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)

    public var description: String {
        switch rawValue {
        case 0: return "NULL"
        case 1: return "EN10MB"
        case 10: return "FDDI"
        case 101: return "RAW"
        case 108: return "LOOP"
        case 113: return "LINUX_SLL"
        case 228: return "IPV4"
        case 229: return "IPV6"
        default: return "LINKTYPE_\(rawValue)"
        }
    }
}

/// One captured packet, as handed out by a reader.
///
/// `bytes` is a slice of the memory-mapped file (plain captures) or of a
/// decompression window (zstd); it is *not* owned by the packet. It stays valid
/// until the reader recycles the memory it points into (see `CaptureReader`).
public struct CapturedPacket {
    /// Global sequence number: 0 for the first packet of a trace, +1 per packet.
    public var sequence: UInt64
    public var timestamp: CaptureTimestamp
    /// Original length on the wire (the record's `len` / pcapng original length).
    public var wireLength: UInt32
    public var linkType: LinkType
    /// pcapng interface id (0 for classic pcap).
    public var interfaceID: UInt32
    /// Offset of the packet's record header in the (decompressed) byte stream.
    public var streamOffset: UInt64
    /// The captured bytes; `bytes.count` is the record's caplen.
    public var bytes: UnsafeRawBufferPointer

    @inlinable
    public init(
        sequence: UInt64, timestamp: CaptureTimestamp, wireLength: UInt32, linkType: LinkType,
        interfaceID: UInt32, streamOffset: UInt64, bytes: UnsafeRawBufferPointer
    ) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.wireLength = wireLength
        self.linkType = linkType
        self.interfaceID = interfaceID
        self.streamOffset = streamOffset
        self.bytes = bytes
    }

    /// caplen: the number of captured bytes.
    @inlinable public var capturedLength: UInt32 { UInt32(truncatingIfNeeded: bytes.count) }
}
