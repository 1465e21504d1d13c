import PacketDecoding

/// The reference's `port_names` table (port-name.bro) and the id strings built from it.
/// A port with a name prints as that name in `id_string` / `weird_id_string`
/// (`127.0.0.1/45746 > 127.0.0.1/portmap`) and feeds conn.log service rules 3 and 4.
public enum PortNames {
    public static let defaultTable: [PortValue: String] = {
        var table: [PortValue: String] = [:]
        for (number, name) in tcp { table[PortValue(number, .tcp)] = name }
        for (number, name) in udp { table[PortValue(number, .udp)] = name }
        for (number, name) in icmp { table[PortValue(number, .icmp)] = name }
        return table
    }()

    static let icmp: [(UInt16, String)] = [(0, "icmp-echo"), (3, "icmp-unreach"), (8, "icmp-echo")]

    static let tcp: [(UInt16, String)] = [
        (7, "echo"), (9, "discard"), (20, "ftp-data"), (21, "ftp"), (22, "ssh"), (23, "telnet"),
        (25, "smtp"), (37, "time"), (43, "whois"), (53, "dns"), (79, "finger"), (80, "http"),
        (109, "pop-2"), (110, "pop-3"), (111, "portmap"), (113, "ident"), (119, "nntp"),
        (135, "epmapper"), (139, "netbios-ssn"), (143, "imap4"), (179, "bgp"), (389, "ldap"),
        (443, "https"), (445, "smb"), (512, "exec"), (513, "rlogin"), (514, "shell"),
        (515, "printer"), (524, "ncp"), (543, "klogin"), (544, "kshell"), (631, "ipp"),
        (993, "simap"), (995, "spop"), (1521, "oracle-sql"), (2049, "nfs"), (6000, "X11"),
        (6001, "X11"), (6667, "IRC"),
    ]

    static let udp: [(UInt16, String)] = [
        (53, "dns"), (69, "tftp"), (111, "portmap"), (123, "ntp"), (137, "netbios-ns"),
        (138, "netbios-dgm"), (161, "snmp"), (2049, "nfs"),
    ]
}

/// Membership of a port table (`port_names`, hot.bro's service sets), one bit per
/// (protocol, number): most ports a run sees are in none, and a bit test spares
/// hashing them.
struct PortBits {
    private var words = [UInt64](repeating: 0, count: 3 * 1024)

    init(_ ports: some Sequence<PortValue>) {
        for port in ports {
            let bit = Self.bit(port)
            words[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    private static func bit(_ port: PortValue) -> Int {
        port.protocolIndex << 16 | Int(port.number)
    }

    func contains(_ port: PortValue) -> Bool {
        let bit = Self.bit(port)
        return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }
}

/// `port_names` keyed by (protocol, number) in a `WordMap`: a lookup is a multiply
/// and a probe or two instead of a SipHash of a `PortValue`.
struct PortNameTable {
    private let names: WordMap<String>

    init(_ table: [PortValue: String]) {
        names = WordMap(table.map { (key: Self.key($0.key), value: $0.value) })
    }

    /// Never 0: the protocol index is offset by 1.
    private static func key(_ port: PortValue) -> UInt64 {
        UInt64(port.protocolIndex + 1) << 16 | UInt64(port.number)
    }

    func name(_ port: PortValue) -> String? {
        names[Self.key(port)]
    }
}

extension PolicyEngine {
    /// `port_names[port]`.
    func portName(_ port: PortValue) -> String? {
        portNames.name(port)
    }

    /// `endpoint_id`: `<addr>/<port name or number>`.
    func endpointString(_ address: IPv4Address, _ port: PortValue) -> String {
        if let name = portName(port) { return "\(address)/\(name)" }
        return "\(address)/\(port.number)"
    }

    /// `id_string` / `weird_id_string` (identical in the reference): `O/o > R/r`.
    func idString(_ id: ConnectionID) -> String {
        scratch.removeAll()
        appendID(id, to: scratch)
        return scratch.string
    }

    func appendID(_ id: ConnectionID, to text: LineBuffer) {
        appendEndpoint(id.originator, PortValue(id.originatorPort, id.proto), to: text)
        text.append(" > ")
        appendEndpoint(id.responder, PortValue(id.responderPort, id.proto), to: text)
    }

    func appendEndpoint(_ address: IPv4Address, _ port: PortValue, to text: LineBuffer) {
        text.append(address)
        text.append(byte: UInt8(ascii: "/"))
        if let name = portName(port) {
            text.append(name)
        } else {
            text.appendDecimal(UInt64(port.number))
        }
    }
}

extension PortValue {
    /// 0, 1, 2 for tcp, udp, icmp: with the number, one small integer per port.
    @inline(__always)
    var protocolIndex: Int {
        switch proto {
        case .tcp: 0
        case .udp: 1
        case .icmp: 2
        }
    }
}
