/// A port value as the reference's scripts see it: number and protocol.
@frozen
public struct PortmapPort: Hashable, Sendable, CustomStringConvertible {
    /// 0 ... 65535 once built (a wire value ≥ 65536 becomes 0).
    public var number: UInt32
    public var isTCP: Bool

    @inlinable
    public init(number: UInt32, isTCP: Bool) {
        self.number = number
        self.isTCP = isTCP
    }

    /// `111/tcp`, `0/udp`.
    public var description: String { "\(number)/\(isTCP ? "tcp" : "udp")" }

    /// Wire protocol number to `is_tcp`: 6 is TCP, anything else UDP.
    @inlinable
    public static func isTCP(protocolNumber: UInt32) -> Bool { protocolNumber == 6 }
}

/// `pm_mapping`: program, version, port.
@frozen
public struct PortmapMapping: Hashable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var port: PortmapPort

    @inlinable
    public init(program: UInt32, version: UInt32, port: PortmapPort) {
        self.program = program
        self.version = version
        self.port = port
    }
}

/// `pm_port_request`: GETPORT arguments (the wire port word is ignored).
@frozen
public struct PortmapPortRequest: Hashable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var isTCP: Bool

    @inlinable
    public init(program: UInt32, version: UInt32, isTCP: Bool) {
        self.program = program
        self.version = version
        self.isTCP = isTCP
    }
}

/// `pm_callit_request`: CALLIT arguments.
@frozen
public struct PortmapCallitRequest: Hashable, Sendable {
    public var program: UInt32
    public var version: UInt32
    public var procedure: UInt32
    /// Length of the forwarded arguments. UDP: the declared length even when
    /// the datagram truncated them; TCP: the (validated) opaque length.
    public var argumentSize: UInt32

    @inlinable
    public init(program: UInt32, version: UInt32, procedure: UInt32, argumentSize: UInt32) {
        self.program = program
        self.version = version
        self.procedure = procedure
        self.argumentSize = argumentSize
    }
}

/// Decoded arguments of a portmapper call, by procedure.
@frozen
public enum PortmapCallArguments: Hashable, Sendable {
    /// NULL (0) and DUMP (4) carry no arguments.
    case none
    /// SET (1) and UNSET (2).
    case mapping(PortmapMapping)
    /// GETPORT (3).
    case portRequest(PortmapPortRequest)
    /// CALLIT (5).
    case callit(PortmapCallitRequest)
}

/// The six portmapper v2 procedures (any program version is decoded with this layout).
@frozen
public enum PortmapProcedure: UInt32, Sendable {
    case null = 0, set = 1, unset = 2, getport = 3, dump = 4, callit = 5
}

/// A DUMP reply's mapping list, stored in `RPCEventBuffer.payloadWords` as
/// four words per entry (program, version, port number, 1 if TCP) so the
/// event itself owns no heap memory.
@frozen
public struct PortmapMappingList: Hashable, Sendable {
    /// Index of the first word in the buffer's payload.
    public var firstWord: Int
    /// Number of entries.
    public var count: Int

    @inlinable
    public init(firstWord: Int, count: Int) {
        self.firstWord = firstWord
        self.count = count
    }

    public static let wordsPerEntry = 4

    /// Entry `index` (0-based) read back from `payload`, or `nil` outside the list/buffer.
    @inlinable
    public func entry(_ index: Int, in payload: [UInt32]) -> PortmapMapping? {
        guard index >= 0, index < count else { return nil }
        let base = firstWord + index * Self.wordsPerEntry
        guard base >= 0, base + Self.wordsPerEntry <= payload.count else { return nil }
        return PortmapMapping(program: payload[base], version: payload[base + 1],
                              port: PortmapPort(number: payload[base + 2], isTCP: payload[base + 3] != 0))
    }

    /// Appends one entry's words.
    @inlinable
    static func append(_ mapping: PortmapMapping, to payload: inout [UInt32]) {
        payload.append(mapping.program)
        payload.append(mapping.version)
        payload.append(mapping.port.number)
        payload.append(mapping.port.isTCP ? 1 : 0)
    }
}
