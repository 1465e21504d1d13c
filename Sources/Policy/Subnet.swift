import PacketDecoding

/// An IPv4 prefix (`10.0.0.0/8`), as used by `RPC_okay_nets`, `skip_scan_nets` and
/// configurable weird filters. Membership is a plain prefix match.
public struct Subnet: Hashable, Sendable, CustomStringConvertible {
    public var network: IPv4Address
    public var prefixLength: UInt8

    public init(network: IPv4Address, prefixLength: UInt8) {
        let length = min(prefixLength, 32)
        self.prefixLength = length
        self.network = IPv4Address(network.value & Subnet.mask(length))
    }

    static func mask(_ length: UInt8) -> UInt32 {
        length == 0 ? 0 : UInt32.max << (32 - UInt32(length))
    }

    public func contains(_ address: IPv4Address) -> Bool {
        address.value & Subnet.mask(prefixLength) == network.value
    }

    public var description: String { "\(network)/\(prefixLength)" }

    /// Parses `a.b.c.d/len`; a bare address means `/32`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPv4Address(parsing: String(parts[0])) else { return nil }
        var length: UInt8 = 32
        if parts.count == 2 {
            guard let parsed = UInt8(parts[1]), parsed <= 32 else { return nil }
            length = parsed
        }
        self.init(network: address, prefixLength: length)
    }
}

extension IPv4Address {
    /// Parses a dotted quad (`172.16.0.1`); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.init(value)
    }
}
