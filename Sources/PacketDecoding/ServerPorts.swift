/// The reference's `likely_server_ports` (server-ports.bro), used by the role-flip
/// heuristic of SEMANTICS-CONN §2.2.
public enum LikelyServerPorts {
    /// True when `port` is a likely server port for `transport` (never for ICMP).
    @inlinable
    public static func contains(_ port: UInt16, _ transport: TransportProtocol) -> Bool {
        switch transport {
        case .tcp:
            switch port {
            case 21, 22, 23, 25, 53, 79, 80, 110, 111, 113, 135, 139, 143, 443, 445, 497, 513, 515, 524,
                 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 994, 995, 1521, 2049, 3128, 5730,
                 6000, 6001, 6346, 6666, 6667, 8000, 8080, 8436, 8443, 8888, 16384:
                return true
            default:
                return false
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
