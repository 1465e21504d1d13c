import PacketDecoding

// TODO(merge h-decode): PacketDecoding provides the one's-complement sums; this
// private version only serves the lazy transport checksum check.

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
    guard bytes.count >= length, length >= 0 else { return false }
    var sum: UInt64 = 0
    sum &+= UInt64(source.value >> 16) &+ UInt64(source.value & 0xffff)
    sum &+= UInt64(destination.value >> 16) &+ UInt64(destination.value & 0xffff)
    sum &+= UInt64(proto.rawValue)
    sum &+= UInt64(length)
    var i = 0
    // Eight bytes at a time: four big-endian 16-bit words per load.
    while i + 8 <= length {
        let w = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        sum &+= (w >> 48) &+ ((w >> 32) & 0xffff) &+ ((w >> 16) & 0xffff) &+ (w & 0xffff)
        i += 8
    }
    while i + 2 <= length {
        sum &+= UInt64(bytes.bigEndianUInt16(at: i))
        i += 2
    }
    if i < length { sum &+= UInt64(bytes[i]) << 8 }
    while sum > 0xffff { sum = (sum & 0xffff) &+ (sum >> 16) }
    return sum == 0xffff
}
