import CaptureIO

/// The reference's link layers (SEMANTICS-CONN §1.2): a fixed number of header bytes
/// per link type, skipped without ever looking at an EtherType or protocol field.
public enum LinkLayer {
    /// DLT_RAW as libpcap defines it on Linux, where the reference ran. A pcap file
    /// stores LINKTYPE_RAW (101), but files written with the bare DLT value exist.
    /// (14 is DLT_RAW only on OpenBSD; on Linux the reference refuses it, so do we.)
    public static let dltRaw = LinkType(rawValue: 12)

    /// Bytes before the IPv4 header, or `nil` for a link type the reference refuses
    /// ("unknown data link type", fatal for the whole trace).
    @inlinable
    public static func headerLength(_ linkType: LinkType) -> Int? {
        switch linkType.rawValue {
        case 0: return 4     // DLT_NULL: BSD loopback address family word
        case 1: return 14    // DLT_EN10MB
        case 10: return 21   // DLT_FDDI: 13-byte FDDI header + 8-byte LLC/SNAP
        case 113: return 16  // DLT_LINUX_SLL
        case 12, 101: return 0  // DLT_RAW / LINKTYPE_RAW
        default: return nil
        }
    }
}
