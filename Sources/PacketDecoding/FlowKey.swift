/// The direction-independent connection key (SEMANTICS-CONN §2.1).
///
/// Both directions of a flow produce the same key: the endpoints are put in the
/// reference's canonical order, which compares addresses and ports as the
/// *little-endian* integer value of their network-order bytes (byte-swapped host
/// values, so the last octet of an address weighs most: 10.0.0.2 sorts after 11.0.0.1).
/// The 12 key bytes are side-1 address, side-2 address, side-1 port, side-2 port, all
/// in wire order; they are what the reference hashes (§2.8).
public struct FlowKey: Hashable, Sendable {
    public let side1Address: IPv4Address
    public let side2Address: IPv4Address
    public let side1Port: UInt16
    public let side2Port: UInt16
    public let transport: TransportProtocol

    /// - Parameters: the packet's endpoints in host order and its transport.
    @inlinable
    public init(source: IPv4Address, sourcePort: UInt16, destination: IPv4Address, destinationPort: UInt16,
                transport: TransportProtocol) {
        if FlowKey.precedes(source, sourcePort, destination, destinationPort) {
            side1Address = source; side1Port = sourcePort
            side2Address = destination; side2Port = destinationPort
        } else {
            side1Address = destination; side1Port = destinationPort
            side2Address = source; side2Port = sourcePort
        }
        self.transport = transport
    }

    /// True when side 1 is the endpoint (`address`, `port`), typically a packet's sender:
    /// the reference's `ip1_is_src`. Holds for both sides when they are identical.
    @inlinable
    public func isSide1(_ address: IPv4Address, _ port: UInt16) -> Bool {
        address == side1Address && port == side1Port
    }

    /// The key of a TCP or UDP datagram (`nil` for ICMP).
    @inlinable
    public init?(_ datagram: IPv4Datagram) {
        guard let ports = datagram.ports else { return nil }
        self.init(source: datagram.source, sourcePort: ports.source, destination: datagram.destination,
                  destinationPort: ports.destination, transport: datagram.transport)
    }

    /// The reference's endpoint order: A first iff addrA < addrB, or equal addresses and
    /// portA < portB, both compared as little-endian readings of the wire bytes.
    /// (Equal endpoints put the source second, as `<` is false.)
    @inlinable
    static func precedes(_ a: IPv4Address, _ aPort: UInt16, _ b: IPv4Address, _ bPort: UInt16) -> Bool {
        let la = a.value.byteSwapped, lb = b.value.byteSwapped
        if la != lb { return la < lb }
        return aPort.byteSwapped < bPort.byteSwapped
    }

    /// The 12 key bytes in the reference's layout.
    public var keyBytes: [UInt8] { withKeyBytes { Array($0) } }

    /// Calls `body` with the 12 key bytes without allocating.
    @inlinable
    public func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (side1Address.value.bigEndian, side2Address.value.bigEndian,
                     (UInt32(side1Port) << 16 | UInt32(side2Port)).bigEndian)
        return try withUnsafeBytes(of: &words) { try body($0) }
    }

    /// A 64-bit hash for shard dispatch: equal for both directions (it is computed from
    /// the canonical key) and well mixed in every bit, so `hash % shards` is balanced.
    /// Not the reference's table hash (that one is the connection layer's, §2.8).
    @inlinable
    public var dispatchHash: UInt64 {
        let a = UInt64(side1Address.value) << 32 | UInt64(side2Address.value)
        let b = UInt64(side1Port) << 48 | UInt64(side2Port) << 32 | UInt64(transport.rawValue)
        return FlowKey.mix(a ^ FlowKey.mix(b &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// The connection tables look every packet up by flow key: a seeded mix of the
    /// key's fields (the same finalizer as `dispatchHash`) instead of SipHash over
    /// them. Hashes exactly the fields `==` compares.
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        let a = UInt64(side1Address.value) << 32 | UInt64(side2Address.value)
        let b = UInt64(side1Port) << 48 | UInt64(side2Port) << 32 | UInt64(transport.rawValue)
        return Int(truncatingIfNeeded: FlowKey.mix(a ^ FlowKey.mix(b ^ UInt64(UInt(bitPattern: seed)))))
    }

    /// The 64-bit finalizer of SplitMix64 / MurmurHash3 (a bijection with full avalanche).
    @inlinable @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
