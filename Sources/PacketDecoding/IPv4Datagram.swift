/// An IPv4 datagram that passed intake (SEMANTICS-CONN §1.3 steps 2–7).
///
/// A view: `header` and `payload` point into the captured packet, or into the fragment
/// reassembler's output buffer for a reassembled datagram, and are valid only until
/// the decoder handles its next packet.
public struct IPv4Datagram {
    /// The IP header: `max(20, headerLength)` bytes. (With IHL < 5, which the reference
    /// does not reject, the transport header starts inside the fixed 20 bytes.) For a
    /// reassembled datagram: the first-seen fragment's header with `ip_len` rewritten.
    public let header: UnsafeRawBufferPointer
    /// Captured transport bytes after the IP header, cut at `length` (so Ethernet
    /// padding is excluded) and at the capture length.
    public let payload: UnsafeRawBufferPointer
    public let source: IPv4Address
    public let destination: IPv4Address
    public let transport: TransportProtocol
    /// `hl` = IHL × 4, exactly as the header says (not validated by the reference).
    public let headerLength: Int
    /// `ip_len`, the IPv4 total-length field.
    public let totalLength: Int
    /// `caplen` after the IP header as the reference computes it (record caplen minus
    /// link header minus `hl`); may exceed `length` when the frame is padded.
    public let capturedLength: Int
    /// True when this datagram was rebuilt from fragments.
    public let isReassembled: Bool

    @inlinable
    init(
        header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, source: IPv4Address,
        destination: IPv4Address, transport: TransportProtocol, headerLength: Int, totalLength: Int,
        capturedLength: Int, isReassembled: Bool
    ) {
        self.header = header
        self.payload = payload
        self.source = source
        self.destination = destination
        self.transport = transport
        self.headerLength = headerLength
        self.totalLength = totalLength
        self.capturedLength = capturedLength
        self.isReassembled = isReassembled
    }

    /// `len` = `ip_len − hl`, the IP-derived transport length every later check uses.
    @inlinable public var length: Int { totalLength - headerLength }

    /// True when the whole transport segment was captured (`caplen ≥ len`): the
    /// condition for checksum verification and for delivering payload to RPC.
    @inlinable public var isFullyCaptured: Bool { capturedLength >= length }

    /// The IP identification field.
    @inlinable public var identification: UInt16 { header.beUInt16(at: 4) }
    /// The raw flags + fragment offset field.
    @inlinable public var fragmentField: UInt16 { header.beUInt16(at: 6) }
    @inlinable public var timeToLive: UInt8 { header[8] }

    /// The UDP header view, or `nil` if this is not UDP.
    @inlinable public var udp: UDPHeader? { transport == .udp ? UDPHeader(payload) : nil }

    /// The TCP header view, or `nil` if this is not TCP.
    @inlinable public var tcp: TCPHeader? { transport == .tcp ? TCPHeader(payload, segmentLength: length) : nil }

    /// Source and destination ports for TCP and UDP (the first four transport bytes).
    @inlinable public var ports: (source: UInt16, destination: UInt16)? {
        guard transport != .icmp, payload.count >= 4 else { return nil }
        return (payload.beUInt16(at: 0), payload.beUInt16(at: 2))
    }
}
