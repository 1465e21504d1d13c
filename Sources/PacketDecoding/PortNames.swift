/// The reference's `port_names` table (port-name.bro; SEMANTICS-RPC §3.7), used in
/// conn-weird ids, portmapper messages and the conn.log service fallback.
public enum PortNames {
    /// The name of `port`/`transport`, or `nil` when the table has none.
    @inlinable
    public static func name(_ port: UInt16, _ transport: TransportProtocol) -> StaticString? {
        switch transport {
        case .tcp: return tcpName(port)
        case .udp: return udpName(port)
        case .icmp:
            switch port {
            case 0, 8: return "icmp-echo"
            case 3: return "icmp-unreach"
            default: return nil
            }
        }
    }

    @usableFromInline
    static func tcpName(_ port: UInt16) -> StaticString? {
        switch port {
        case 7: return "echo"
        case 9: return "discard"
        case 20: return "ftp-data"
        case 21: return "ftp"
        case 22: return "ssh"
        case 23: return "telnet"
        case 25: return "smtp"
        case 37: return "time"
        case 43: return "whois"
        case 53: return "dns"
        case 79: return "finger"
        case 80: return "http"
        case 109: return "pop-2"
        case 110: return "pop-3"
        case 111: return "portmap"
        case 113: return "ident"
        case 119: return "nntp"
        case 135: return "epmapper"
        case 139: return "netbios-ssn"
        case 143: return "imap4"
        case 179: return "bgp"
        case 389: return "ldap"
        case 443: return "https"
        case 445: return "smb"
        case 512: return "exec"
        case 513: return "rlogin"
        case 514: return "shell"
        case 515: return "printer"
        case 524: return "ncp"
        case 543: return "klogin"
        case 544: return "kshell"
        case 631: return "ipp"
        case 993: return "simap"
        case 995: return "spop"
        case 1521: return "oracle-sql"
        case 2049: return "nfs"
        case 6000, 6001: return "X11"
        case 6667: return "IRC"
        default: return nil
        }
    }

    @usableFromInline
    static func udpName(_ port: UInt16) -> StaticString? {
        switch port {
        case 53: return "dns"
        case 69: return "tftp"
        case 111: return "portmap"
        case 123: return "ntp"
        case 137: return "netbios-ns"
        case 138: return "netbios-dgm"
        case 161: return "snmp"
        case 2049: return "nfs"
        default: return nil
        }
    }

    /// `port_names[port]` if present, else the bare number (the reference's
    /// `endpoint_id` port part).
    public static func nameOrNumber(_ port: UInt16, _ transport: TransportProtocol) -> String {
        if let name = name(port, transport) { return name.description }
        return String(port)
    }
}

/// The reference's `weird_id_string` / `endpoint_id` pair: `ORIG_H/P > RESP_H/P` with
/// each port replaced by its `port_names` entry when there is one, e.g.
/// `127.0.0.1/45746 > 127.0.0.1/portmap`.
public func weirdIDString(_ id: ConnectionID) -> String {
    "\(id.originator)/\(PortNames.nameOrNumber(id.originatorPort, id.proto)) > "
        + "\(id.responder)/\(PortNames.nameOrNumber(id.responderPort, id.proto))"
}
