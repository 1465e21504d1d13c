import CaptureIO
@testable import PacketDecoding

/// Builds test packets byte by byte. Checksums are computed with the scalar
/// reference sum, never with the code under test.
struct IPv4Builder {
    var source = IPv4Address(10, 0, 0, 1)
    var destination = IPv4Address(10, 0, 0, 2)
    var identification: UInt16 = 0x1234
    var timeToLive: UInt8 = 64
    var protocolNumber: UInt8 = 17
    var version: UInt8 = 4
    /// Flags + fragment offset field as on the wire (DF 0x4000, MF 0x2000, offset/8).
    var fragmentField: UInt16 = 0
    var options: [UInt8] = []
    /// Overrides IHL (otherwise (20 + options) / 4).
    var ihl: UInt8?
    /// Overrides the total-length field.
    var totalLength: Int?
    /// Adds this to the computed header checksum (non-zero = broken checksum).
    var checksumError: UInt16 = 0
    var payload: [UInt8] = []

    var headerLength: Int { 20 + options.count }

    func bytes() -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 20)
        h[0] = version << 4 | (ihl ?? UInt8(headerLength / 4))
        let total = totalLength ?? (headerLength + payload.count)
        h[2] = UInt8(total >> 8 & 0xff); h[3] = UInt8(total & 0xff)
        h[4] = UInt8(identification >> 8); h[5] = UInt8(identification & 0xff)
        h[6] = UInt8(fragmentField >> 8); h[7] = UInt8(fragmentField & 0xff)
        h[8] = timeToLive
        h[9] = protocolNumber
        put32(&h, 12, source.value)
        put32(&h, 16, destination.value)
        h += options
        let sum = h.withUnsafeBytes { InternetChecksum.referenceSum($0) }
        let checksum = ~sum &+ checksumError
        h[10] = UInt8(checksum >> 8); h[11] = UInt8(checksum & 0xff)
        return h + payload
    }
}

func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
    b[at] = UInt8(v >> 8); b[at + 1] = UInt8(v & 0xff)
}

func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    b[at] = UInt8(v >> 24); b[at + 1] = UInt8(v >> 16 & 0xff); b[at + 2] = UInt8(v >> 8 & 0xff); b[at + 3] = UInt8(v & 0xff)
}

/// The transport checksum field value for `segment` (checksum field zeroed) sent from
/// `source` to `destination`, with `length` in the pseudo-header.
func transportChecksum(_ segment: [UInt8], proto: UInt8, source: IPv4Address, destination: IPv4Address, length: Int) -> UInt16 {
    var pseudo = [UInt8](repeating: 0, count: 12)
    put32(&pseudo, 0, source.value)
    put32(&pseudo, 4, destination.value)
    pseudo[9] = proto
    put16(&pseudo, 10, UInt16(truncatingIfNeeded: length))
    return ~((pseudo + segment).withUnsafeBytes { InternetChecksum.referenceSum($0) })
}

enum ChecksumChoice { case valid, zero, broken }

func udpSegment(
    sourcePort: UInt16 = 45746, destinationPort: UInt16 = 111, payload: [UInt8] = Array(repeating: 0xab, count: 12),
    lengthField: UInt16? = nil, checksum: ChecksumChoice = .valid,
    source: IPv4Address = IPv4Address(10, 0, 0, 1), destination: IPv4Address = IPv4Address(10, 0, 0, 2)
) -> [UInt8] {
    var s = [UInt8](repeating: 0, count: 8)
    put16(&s, 0, sourcePort); put16(&s, 2, destinationPort)
    put16(&s, 4, lengthField ?? UInt16(8 + payload.count))
    s += payload
    switch checksum {
    case .zero: break
    case .valid, .broken:
        var c = transportChecksum(s, proto: 17, source: source, destination: destination, length: s.count)
        if checksum == .broken { c &+= 1 }
        if c == 0 { c = 0xffff }  // 0 means "no checksum"; 0xffff is the same one's-complement value
        put16(&s, 6, c)
    }
    return s
}

func tcpSegment(
    sourcePort: UInt16 = 40000, destinationPort: UInt16 = 111, seq: UInt32 = 1000, ack: UInt32 = 0,
    flags: TCPFlags = [.syn], window: UInt16 = 65535, urgent: UInt16 = 0, options: [UInt8] = [],
    dataOffset: UInt8? = nil, payload: [UInt8] = [], checksum: ChecksumChoice = .valid,
    source: IPv4Address = IPv4Address(10, 0, 0, 1), destination: IPv4Address = IPv4Address(10, 0, 0, 2)
) -> [UInt8] {
    var s = [UInt8](repeating: 0, count: 20)
    put16(&s, 0, sourcePort); put16(&s, 2, destinationPort)
    put32(&s, 4, seq); put32(&s, 8, ack)
    s[12] = (dataOffset ?? UInt8((20 + options.count) / 4)) << 4
    s[13] = flags.rawValue
    put16(&s, 14, window)
    put16(&s, 18, urgent)
    s += options + payload
    var c = transportChecksum(s, proto: 6, source: source, destination: destination, length: s.count)
    if checksum == .broken { c &+= 1 }
    if checksum != .zero { put16(&s, 16, c) }
    return s
}

/// A link header of the right size for `linkType`, filled with bytes the decoder must
/// ignore (an IPv6 EtherType, for instance).
func linkHeader(_ linkType: LinkType) -> [UInt8] {
    switch linkType.rawValue {
    case 0: return [0x18, 0, 0, 0]  // AF_INET6 on BSD: still skipped blindly
    case 1: return [UInt8](repeating: 0xee, count: 12) + [0x86, 0xdd]
    case 10: return [UInt8](repeating: 0x55, count: 21)
    case 113: return [UInt8](repeating: 0x77, count: 14) + [0x86, 0xdd]
    default: return []
    }
}

/// Runs `body` with a captured packet made of `frame`; the wire length defaults to the
/// frame length.
func withPacket<R>(_ frame: [UInt8], linkType: LinkType = .ethernet, wireLength: Int? = nil,
                   _ body: (CapturedPacket) throws -> R) rethrows -> R {
    try frame.withUnsafeBytes { bytes in
        let packet = CapturedPacket(
            sequence: 0, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0),
            wireLength: UInt32(wireLength ?? frame.count), linkType: linkType, interfaceID: 0,
            streamOffset: 0, bytes: bytes)
        return try body(packet)
    }
}

/// Owned copy of what a decode produced, so tests can inspect it after the buffers go.
struct Outcome: Equatable {
    enum Kind: Equatable {
        case datagram(transport: TransportProtocol, length: Int, captured: Int, payload: [UInt8], reassembled: Bool)
        case weird(PacketWeird)
        case ignored(IgnoreReason)
        case fragmentHeld
        case unknownLinkType(LinkType)
    }
    var kind: Kind
    var weirds: [PacketWeird]
}

extension PacketDecoder {
    func run(_ frame: [UInt8], linkType: LinkType = .ethernet, wireLength: Int? = nil) -> Outcome {
        withPacket(frame, linkType: linkType, wireLength: wireLength) { packet in
            let kind: Outcome.Kind
            switch decode(packet) {
            case .datagram(let d):
                kind = .datagram(transport: d.transport, length: d.length, captured: d.capturedLength,
                                 payload: Array(d.payload), reassembled: d.isReassembled)
            case .weird(let w): kind = .weird(w)
            case .ignored(let r): kind = .ignored(r)
            case .fragmentHeld: kind = .fragmentHeld
            case .unknownLinkType(let l): kind = .unknownLinkType(l)
            }
            return Outcome(kind: kind, weirds: weirds)
        }
    }

    /// Decodes an IPv4 packet behind an Ethernet header.
    func run(ip: [UInt8], wireLength: Int? = nil) -> Outcome {
        run(linkHeader(.ethernet) + ip, wireLength: wireLength.map { $0 + 14 })
    }
}

let net = PacketWeirdScope.net
let flow12 = PacketWeirdScope.flow(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2))
