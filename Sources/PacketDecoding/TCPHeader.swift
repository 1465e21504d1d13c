/// TCP header flag bits (`th_flags`).
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)
}

/// A view of a TCP header and the captured segment behind it.
///
/// Built only from a datagram that passed §1.3 step 7, so the fixed 20 bytes are
/// captured. The data offset is *not* validated here: the reference checks
/// `th_off×4 > len` in the connection compressor (net weird `truncated_header`) and
/// `th_off×4 < 20` in the TCP analyzer (`bad_TCP_header_len`), so the layers that
/// own those checks read `headerLength` and `segmentLength` themselves.
public struct TCPHeader {
    /// The captured segment from the TCP header on, limited to the IP-derived length.
    public let segment: UnsafeRawBufferPointer
    /// The IP-derived segment length (`ip_len − hl`), which may exceed `segment.count`.
    public let segmentLength: Int

    /// - Parameters:
    ///   - segment: the captured segment, at least 20 bytes; `nil` otherwise.
    ///   - segmentLength: the IP-derived length of the whole segment.
    @inlinable
    public init?(_ segment: UnsafeRawBufferPointer, segmentLength: Int) {
        guard segment.count >= 20 else { return nil }
        self.segment = segment
        self.segmentLength = segmentLength
    }

    @inlinable public var sourcePort: UInt16 { segment.beUInt16(at: 0) }
    @inlinable public var destinationPort: UInt16 { segment.beUInt16(at: 2) }
    @inlinable public var sequenceNumber: UInt32 { segment.beUInt32(at: 4) }
    @inlinable public var acknowledgmentNumber: UInt32 { segment.beUInt32(at: 8) }
    /// `th_off`, the header length in 32-bit words (0...15, unvalidated).
    @inlinable public var dataOffset: Int { Int(segment[12] >> 4) }
    /// `th_off × 4` in bytes.
    @inlinable public var headerLength: Int { dataOffset &* 4 }
    @inlinable public var flags: TCPFlags { TCPFlags(rawValue: segment[13]) }
    @inlinable public var window: UInt16 { segment.beUInt16(at: 14) }
    @inlinable public var checksumField: UInt16 { segment.beUInt16(at: 16) }
    @inlinable public var urgentPointer: UInt16 { segment.beUInt16(at: 18) }

    /// The captured option bytes, `20 ..< headerLength` clamped to what was captured
    /// (empty when `th_off ≤ 5`).
    @inlinable public var options: UnsafeRawBufferPointer { segment.clampedSlice(from: 20, to: headerLength) }

    /// True when every option byte the header claims was captured.
    @inlinable public var optionsFullyCaptured: Bool { headerLength <= segment.count }

    /// Payload length from the IP-derived length: `segmentLength − headerLength`
    /// (negative when the data offset claims more than the segment holds).
    @inlinable public var payloadLength: Int { segmentLength - headerLength }

    /// The captured payload bytes, from `headerLength` on, consistent with `payloadLength`
    /// (empty when the header itself was not fully captured; meaningless when
    /// `th_off < 5`, which the TCP analyzer rejects).
    @inlinable public var payload: UnsafeRawBufferPointer { segment.clampedSlice(from: headerLength, to: segment.count) }
}
