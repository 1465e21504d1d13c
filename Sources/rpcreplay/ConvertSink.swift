import CaptureIO

/// The writer behind `corpus convert`: libpcap's own writer where it can (host
/// byte order classic pcap), RPCReplay's `CaptureFileWriter` otherwise. Writers
/// open lazily on the first packet, because the link type comes from the packets.
struct ConvertSink {
    /// Classic pcap holds a single link type; the input had more.
    struct LinkTypeMismatch: Error, CustomStringConvertible {
        var first: LinkType
        var other: LinkType
        var description: String {
            "packets of link types \(first) and \(other): classic pcap holds one, use --format pcapng"
        }
    }

    private enum Writer {
        case none
        case libpcap(PcapWriter)
        case own(CaptureFileWriter)
    }

    let path: String
    let format: CaptureFormat
    let byteOrder: CaptureByteOrder
    let precision: TimestampPrecision
    let interfaces: Int
    private var writer = Writer.none
    /// pcapng interface id per (link type, round-robin slot).
    private var interfaceIDs: [LinkType: [UInt32?]] = [:]
    private(set) var truncatedTimestamps = 0
    private(set) var writtenInterfaces = 0

    init(path: String, format: CaptureFormat, byteOrder: CaptureByteOrder, precision: TimestampPrecision, interfaces: Int) {
        self.path = path
        self.format = format
        self.byteOrder = byteOrder
        self.precision = precision
        self.interfaces = interfaces
    }

    private static var hostOrder: CaptureByteOrder { (1 as UInt16).littleEndian == 1 ? .littleEndian : .bigEndian }

    /// Interface `slot` is nanosecond when odd, so a two-interface file mixes resolutions.
    private func precision(ofSlot slot: Int) -> TimestampPrecision { slot % 2 == 1 ? .nano : precision }

    mutating func write(_ packet: CapturedPacket, slot: Int) throws {
        if case .none = writer { try open(linkType: packet.linkType) }
        switch writer {
        case .none: break
        case .libpcap(let pcap):
            guard packet.linkType == pcap.linkType else { throw LinkTypeMismatch(first: pcap.linkType, other: packet.linkType) }
            if precision.truncates(packet.timestamp) { truncatedTimestamps += 1 }
            try pcap.write(packet)
        case .own(let own):
            let id: UInt32
            if format == .pcap {
                let linkType = own.interfaces[0].linkType
                guard packet.linkType == linkType else { throw LinkTypeMismatch(first: linkType, other: packet.linkType) }
                id = 0
            } else {
                id = try interfaceID(own, linkType: packet.linkType, slot: slot)
            }
            if own.interfaces[Int(id)].precision.truncates(packet.timestamp) { truncatedTimestamps += 1 }
            try own.write(timestamp: packet.timestamp, wireLength: packet.wireLength, bytes: packet.bytes, interface: id)
        }
    }

    /// Closes the file; an input without packets still gets a valid (empty) file.
    mutating func finish(fallbackLinkType: LinkType) throws {
        if case .none = writer { try open(linkType: fallbackLinkType) }
        switch writer {
        case .none: break
        case .libpcap(let pcap): try pcap.close()
        case .own(let own): try own.close()
        }
    }

    private mutating func open(linkType: LinkType) throws {
        switch format {
        case .pcap:
            if byteOrder == Self.hostOrder, let pcap = try? PcapWriter(path: path, linkType: linkType, precision: precision) {
                writer = .libpcap(pcap)
            } else {
                writer = .own(try CaptureFileWriter(
                    pcapPath: path, byteOrder: byteOrder, interface: .init(linkType: linkType, precision: precision)))
            }
            writtenInterfaces = 1
        case .pcapng:
            writer = .own(try CaptureFileWriter(pcapngPath: path, byteOrder: byteOrder))
        }
    }

    /// IDBs are written on first use, so an interface appears just before its first packet.
    private mutating func interfaceID(_ own: CaptureFileWriter, linkType: LinkType, slot: Int) throws -> UInt32 {
        var slots = interfaceIDs[linkType] ?? Array(repeating: nil, count: interfaces)
        if let id = slots[slot] { return id }
        let id = try own.addInterface(.init(linkType: linkType, precision: precision(ofSlot: slot)))
        slots[slot] = id
        interfaceIDs[linkType] = slots
        writtenInterfaces += 1
        return id
    }
}
