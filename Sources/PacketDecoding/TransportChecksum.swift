/// The result of checking a TCP or UDP checksum (SEMANTICS-CONN §1.4).
public enum TransportChecksumVerdict: Hashable, Sendable {
    case valid
    case invalid
    /// Not checked because the segment was not fully captured (`caplen < len`).
    case notCapturedInFull
    /// Not checked because a UDP checksum field of 0 means "none".
    case absent
}

extension IPv4Datagram {
    /// Verifies the TCP or UDP checksum the way the reference does: pseudo-header with
    /// the IP-derived length `ip_len − hl` (not the UDP length field), an odd final
    /// byte padded with zero, verified only when `caplen ≥ len`; a UDP checksum of 0 is
    /// not checked. Whether checks are enabled at all (`-C`) is the caller's setting.
    /// - Returns: the verdict; ICMP (never checked by this layer) returns `.absent`.
    @inlinable
    public func verifyTransportChecksum() -> TransportChecksumVerdict {
        let proto: UInt16
        switch transport {
        case .tcp: proto = 6
        case .udp:
            guard payload.count >= 8 else { return .notCapturedInFull }
            if payload.beUInt16(at: 6) == 0 { return .absent }
            proto = 17
        case .icmp: return .absent
        }
        guard isFullyCaptured, payload.count >= length else { return .notCapturedInFull }
        var sum = InternetChecksum.add(header.clampedSlice(from: 12, to: 20))  // source + destination
        sum &+= UInt64(InternetChecksum.nativeWord(proto))
        sum &+= UInt64(InternetChecksum.nativeWord(UInt16(truncatingIfNeeded: length)))
        sum = InternetChecksum.add(payload, to: sum)
        return InternetChecksum.verifies(sum) ? .valid : .invalid
    }
}
