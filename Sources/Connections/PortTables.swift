import PacketDecoding

// TODO(merge h-decode): PacketDecoding owns likely_server_ports and port_names;
// these private copies exist only until that branch is merged.

/// `likely_server_ports` from server-ports.bro (SEMANTICS-CONN §2.2).
enum LikelyServerPorts {
    static func contains(_ port: UInt16, _ proto: TransportProtocol) -> Bool {
        switch proto {
        case .tcp:
            switch port {
            case 21, 22, 23, 25, 53, 79, 80, 110, 111, 113, 135, 139, 143, 443, 445, 497, 513, 515,
                524, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 994, 995, 1521, 2049, 3128,
                5730, 6000, 6001, 6346, 6666, 6667, 8000, 8080, 8436, 8443, 8888, 16384:
                return true
            default: return false
            }
        case .udp:
            switch port {
            case 53, 111, 123, 137, 138, 161, 427, 2049: return true
            default: return false
            }
        case .icmp:
            return false
        }
    }
}

/// `port_names` from port-name.bro (SEMANTICS-RPC §3.7).
enum PortNames {
    static func name(_ port: UInt16, _ proto: TransportProtocol) -> String? {
        switch proto {
        case .tcp:
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
        case .udp:
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
        case .icmp:
            switch port {
            case 0, 8: return "icmp-echo"
            case 3: return "icmp-unreach"
            default: return nil
            }
        }
    }
}
