import PacketDecoding

/// One decoded UDP or TCP packet, handed to `ConnectionTracker.process(_:into:)`.
///
/// It is a plain value built per packet from header views; `bytes` points into
/// the caller's packet memory and must stay valid while the tracker's output for
/// this packet is consumed. Nothing is copied.
public struct TransportSegment {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// `.udp` or `.tcp`.
    public var proto: TransportProtocol
    public var time: PacketTime
    /// The packet's global sequence number in the trace (for callers that tag output).
    public var packetSequence: UInt64

    /// The reference's `len`: IP total length minus IP header length, i.e. the
    /// transport header plus payload as the IP header declares it.
    public var length: Int
    /// The reference's `caplen` after the IP header; can exceed `length` when the
    /// link layer padded the frame.
    public var capturedLength: Int
    /// The captured transport header and payload, `min(length, capturedLength)` bytes.
    public var bytes: UnsafeRawBufferPointer

    /// UDP: the header's length field (`uh_ulen`).
    public var udpLength: UInt16 = 0
    /// UDP: the header's checksum field; 0 means "not computed".
    public var udpChecksum: UInt16 = 0

    /// TCP: `th_seq`, `th_ack`, `th_flags`, `th_win`, `th_off` (in 32-bit words).
    public var tcpSequence: UInt32 = 0
    public var tcpAcknowledgment: UInt32 = 0
    public var tcpFlags: TCPFlags = []
    public var tcpWindow: UInt16 = 0
    public var tcpDataOffset: UInt8 = 5

    @inlinable
    public init(
        source: IPv4Address, destination: IPv4Address, sourcePort: UInt16, destinationPort: UInt16,
        proto: TransportProtocol, time: PacketTime, packetSequence: UInt64,
        length: Int, capturedLength: Int, bytes: UnsafeRawBufferPointer
    ) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.proto = proto
        self.time = time
        self.packetSequence = packetSequence
        self.length = length
        self.capturedLength = capturedLength
        self.bytes = bytes
    }

    /// Builds a segment from the captured transport bytes, reading the UDP or TCP
    /// header fields from them. Returns nil when fewer bytes than the minimal
    /// header were captured (the reference drops those before connection lookup).
    ///
    /// - Parameters:
    ///   - transportBytes: captured bytes from the transport header on; at most
    ///     `length` of them are kept.
    ///   - length: IP-derived transport length (`ip_len - hl`).
    ///   - capturedLength: captured length after the IP header (may exceed `length`).
    ///
    /// Inlinable: the engine's dispatcher builds one per packet, and as an opaque
    /// call the optional result went through memory (~80 instructions per packet).
    @inlinable
    public init?(
        source: IPv4Address, destination: IPv4Address, proto: TransportProtocol,
        time: PacketTime, packetSequence: UInt64,
        length: Int, capturedLength: Int, transportBytes: UnsafeRawBufferPointer
    ) {
        let kept = min(length, capturedLength, transportBytes.count)
        guard kept >= 0 else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: transportBytes[0 ..< kept])
        switch proto {
        case .udp:
            guard bytes.count >= 8 else { return nil }
        case .tcp:
            guard bytes.count >= 20 else { return nil }
        case .icmp:
            return nil
        }
        self.init(
            source: source, destination: destination,
            sourcePort: bytes.bigEndianUInt16(at: 0), destinationPort: bytes.bigEndianUInt16(at: 2),
            proto: proto, time: time, packetSequence: packetSequence,
            length: length, capturedLength: capturedLength, bytes: bytes)
        if proto == .udp {
            udpLength = bytes.bigEndianUInt16(at: 4)
            udpChecksum = bytes.bigEndianUInt16(at: 6)
        } else {
            tcpSequence = bytes.bigEndianUInt32(at: 4)
            tcpAcknowledgment = bytes.bigEndianUInt32(at: 8)
            tcpDataOffset = bytes[12] >> 4
            tcpFlags = TCPFlags(rawValue: bytes[13])
            tcpWindow = bytes.bigEndianUInt16(at: 14)
        }
    }

    /// TCP header length in bytes (`th_off * 4`).
    @inlinable public var tcpHeaderLength: Int { Int(tcpDataOffset) * 4 }

    /// True when the whole datagram/segment was captured (`caplen >= len`).
    @inlinable public var isFullyCaptured: Bool { capturedLength >= length }

    /// The captured payload after a transport header of `headerLength` bytes.
    @inlinable
    func payload(afterHeader headerLength: Int) -> UnsafeRawBufferPointer {
        guard headerLength < bytes.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: bytes[headerLength...])
    }
}

extension UnsafeRawBufferPointer {
    @inlinable
    func bigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension TransportSegment {
    /// Builds the segment for a datagram that passed intake (PacketDecoding).
    /// Returns nil for ICMP.
    @inlinable
    public init?(datagram: IPv4Datagram, time: PacketTime, packetSequence: UInt64) {
        guard datagram.transport != .icmp else { return nil }
        self.init(source: datagram.source, destination: datagram.destination, proto: datagram.transport,
                  time: time, packetSequence: packetSequence, length: datagram.length,
                  capturedLength: datagram.capturedLength, transportBytes: datagram.payload)
    }
}
