/// A view of a UDP header and the captured bytes behind it.
///
/// Built only from a datagram that passed §1.3 step 7, so the 8 header bytes are
/// captured; the payload may be cut by the snap length.
public struct UDPHeader {
    /// The captured datagram from the UDP header on, limited to the IP-derived length.
    public let segment: UnsafeRawBufferPointer

    /// - Parameter segment: at least 8 bytes; `nil` otherwise.
    @inlinable
    public init?(_ segment: UnsafeRawBufferPointer) {
        guard segment.count >= 8 else { return nil }
        self.segment = segment
    }

    @inlinable public var sourcePort: UInt16 { segment.beUInt16(at: 0) }
    @inlinable public var destinationPort: UInt16 { segment.beUInt16(at: 2) }
    /// The header's own length field (header + data), which the reference uses for byte
    /// counts and compares with the IP-derived length (`UDP_datagram_length_mismatch`).
    @inlinable public var lengthField: UInt16 { segment.beUInt16(at: 4) }
    /// 0 means "no checksum": never verified.
    @inlinable public var checksumField: UInt16 { segment.beUInt16(at: 6) }
    /// The captured payload after the header.
    @inlinable public var payload: UnsafeRawBufferPointer { segment.clampedSlice(from: 8, to: segment.count) }
}
