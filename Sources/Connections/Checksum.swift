import PacketDecoding

/// Verifies a UDP/TCP checksum over the IPv4 pseudo header and `bytes`.
///
/// `length` is the IP-derived transport length that goes into the pseudo header
/// (the reference never uses the UDP length field here); `bytes` must hold that
/// many bytes. Odd lengths are padded with a zero byte. A correct packet sums to
/// 0xffff.
func transportChecksumIsValid(
    source: IPv4Address, destination: IPv4Address, proto: TransportProtocol,
    length: Int, bytes: UnsafeRawBufferPointer
) -> Bool {
    guard length >= 0, bytes.count >= length else { return false }
    var addresses = (source.value.bigEndian, destination.value.bigEndian)
    var sum = withUnsafeBytes(of: &addresses) { InternetChecksum.add($0) }
    sum &+= UInt64(InternetChecksum.nativeWord(UInt16(proto.rawValue)))
    sum &+= UInt64(InternetChecksum.nativeWord(UInt16(truncatingIfNeeded: length)))
    sum = InternetChecksum.add(UnsafeRawBufferPointer(rebasing: bytes[0 ..< length]), to: sum)
    return InternetChecksum.verifies(sum)
}
