import CaptureIO

/// Settings of packet intake.
public struct DecoderConfiguration: Sendable, Equatable {
    /// False reproduces the reference's `-C` (`--no-checksums`): no IP header check here,
    /// and the transport layers skip theirs.
    public var verifyChecksums: Bool
    public var fragmentLimits: FragmentLimits

    public init(verifyChecksums: Bool = true, fragmentLimits: FragmentLimits = FragmentLimits()) {
        self.verifyChecksums = verifyChecksums
        self.fragmentLimits = fragmentLimits
    }
}

/// Why intake dropped a packet without a weird.
public enum IgnoreReason: Hashable, Sendable {
    /// IP protocol other than TCP, UDP, ICMP (§1.3 step 5): silently ignored.
    case unsupportedProtocol(UInt8)
}

/// The fate of one packet at intake (SEMANTICS-CONN §1.3 steps 2–7).
public enum PacketIntakeResult {
    /// Passed intake; continue with connection lookup (§1.3 step 8).
    case datagram(IPv4Datagram)
    /// Dropped after raising this weird (also the last entry of `PacketDecoder.weirds`).
    case weird(PacketWeird)
    /// Dropped silently.
    case ignored(IgnoreReason)
    /// A fragment was taken by the reassembler; nothing more to do for this packet.
    case fragmentHeld
    /// The link type is one the reference refuses ("unknown data link type"); the
    /// engine turns this into a fatal error for the trace.
    case unknownLinkType(LinkType)
}

/// Counts of everything intake did, by outcome. Every dropped packet is counted once
/// under the reason that dropped it.
public struct DecoderCounters: Sendable, Equatable {
    public var packets: UInt64 = 0
    public var datagrams: UInt64 = 0
    public var unknownLinkType: UInt64 = 0
    public var truncatedIP: UInt64 = 0
    public var nonIPv4: UInt64 = 0
    public var badIPChecksum: UInt64 = 0
    /// Part of the bad-checksum count: the header was longer than what was captured,
    /// so its checksum could not be computed (the reference reads past the capture).
    public var ipHeaderBeyondCapture: UInt64 = 0
    public var unsupportedProtocol: UInt64 = 0
    public var fragments: UInt64 = 0
    public var fragmentsHeld: UInt64 = 0
    /// Fragments with `caplen < ip_len`: first ones continue unreassembled, later ones are dropped.
    public var incompleteFirstFragments: UInt64 = 0
    public var incompleteLaterFragments: UInt64 = 0
    public var reassembledDatagrams: UInt64 = 0
    public var truncatedHeader: UInt64 = 0
    public var internallyTruncatedHeader: UInt64 = 0
    public init() {}
}

/// The per-packet intake stage: link header, IPv4 checks in the reference's order,
/// fragments, and the minimal transport-length checks. One instance per shard; it
/// owns its counters and its fragment reassembler (no global state).
///
/// The normal (unfragmented) path does not allocate: it reads the packet in place and
/// returns views into it.
///
/// A decoder is used by one thread without reentrancy, so its per-packet state
/// skips the dynamic exclusivity checks (two begin/end access pairs per packet).
public final class PacketDecoder {
    public let configuration: DecoderConfiguration
    @exclusivity(unchecked) public internal(set) var counters = DecoderCounters()
    public let reassembler: FragmentReassembler
    /// Weirds raised by the last `decode` call, in the order the reference raises them
    /// (net, flow; the terminal one of a `.weird` result comes last). Cleared by each call.
    @exclusivity(unchecked) public internal(set) var weirds: [PacketWeird] = []

    public init(configuration: DecoderConfiguration = DecoderConfiguration()) {
        self.configuration = configuration
        self.reassembler = FragmentReassembler(limits: configuration.fragmentLimits)
    }

    /// Runs one captured packet through intake.
    /// - Parameter packet: the packet; its bytes must stay valid while the result is used.
    /// - Returns: the datagram view, or why the packet went no further. A datagram
    ///   rebuilt from fragments points into the reassembler and is valid until the next call.
    public func decode(_ packet: CapturedPacket) -> PacketIntakeResult {
        if !weirds.isEmpty { weirds.removeAll(keepingCapacity: true) }
        counters.packets += 1
        guard let linkHeader = LinkLayer.headerLength(packet.linkType) else {
            counters.unknownLinkType += 1
            return .unknownLinkType(packet.linkType)
        }
        // caplen/wirelen minus the link header, guarding the reference's unsigned underflow.
        let ip = packet.bytes.clampedSlice(from: linkHeader, to: packet.bytes.count)
        let wireLength = Int(packet.wireLength) - linkHeader

        // Step 2.
        guard ip.count >= 20 else { counters.truncatedIP += 1; return drop(.truncatedIP) }
        guard ip[0] >> 4 == 4 else { counters.nonIPv4 += 1; return drop(.nonIPv4Packet) }

        // Step 3: against the original length, so snap-length cuts pass.
        let totalLength = Int(ip.beUInt16(at: 2))
        guard wireLength >= totalLength else { counters.truncatedIP += 1; return drop(.truncatedIP) }

        // Step 4.
        let headerLength = Int(ip[0] & 0x0f) * 4
        if configuration.verifyChecksums {
            guard headerLength <= ip.count else {
                counters.ipHeaderBeyondCapture += 1
                counters.badIPChecksum += 1; return drop(.badIPChecksum)
            }
            let sum = InternetChecksum.add(ip.clampedSlice(from: 0, to: headerLength))
            guard InternetChecksum.verifies(sum) else { counters.badIPChecksum += 1; return drop(.badIPChecksum) }
        }

        // Step 5. The protocol read here stays in force for a reassembled datagram too,
        // as in the reference (which reads it before reassembly).
        let protocolNumber = ip[9]
        let transport: TransportProtocol
        switch protocolNumber {
        case 6: transport = .tcp
        case 17: transport = .udp
        case 1: transport = .icmp
        default:
            counters.unsupportedProtocol += 1
            return .ignored(.unsupportedProtocol(protocolNumber))
        }

        let source = IPv4Address(ip.beUInt32(at: 12))
        let destination = IPv4Address(ip.beUInt32(at: 16))
        var datagram = IntakeDatagram(bytes: ip, totalLength: totalLength, headerLength: headerLength,
                                      capturedLength: ip.count, isReassembled: false)

        // Step 6.
        let fragmentField = ip.beUInt16(at: 6)
        if fragmentField & 0x3fff != 0 {
            switch fragmentStep(datagram, fragmentField: fragmentField, source: source, destination: destination) {
            case .proceed(let whole): datagram = whole
            case .finished(let result): return result
            }
        }

        // Step 7.
        let length = datagram.totalLength - datagram.headerLength
        let capturedAfterHeader = datagram.capturedLength - datagram.headerLength
        let minimum = transport == .tcp ? 20 : 8
        guard length >= minimum else { counters.truncatedHeader += 1; return drop(.truncatedHeader) }
        guard capturedAfterHeader >= minimum else {
            counters.internallyTruncatedHeader += 1; return drop(.internallyTruncatedHeader)
        }

        counters.datagrams += 1
        let hl = datagram.headerLength
        return .datagram(IPv4Datagram(
            header: datagram.bytes.clampedSlice(from: 0, to: Swift.max(20, hl)),
            payload: datagram.bytes.clampedSlice(from: hl, to: hl + Swift.min(length, capturedAfterHeader)),
            source: source, destination: destination, transport: transport,
            headerLength: hl, totalLength: datagram.totalLength,
            capturedLength: capturedAfterHeader, isReassembled: datagram.isReassembled))
    }

    /// Records a net weird that ends the packet (the caller counts it).
    func drop(_ name: PacketWeirdName) -> PacketIntakeResult {
        let weird = PacketWeird(name, .net)
        weirds.append(weird)
        return .weird(weird)
    }
}
