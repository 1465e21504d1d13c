import CPcap

extension LinkType {
    /// The libpcap `DLT_*` value for this `LINKTYPE_*` value, or `nil` when libpcap
    /// has none.
    ///
    /// `pcap_open_dead` takes a DLT, not the LINKTYPE written in files. The two
    /// agree for 0...10 and for the "matching" range 104...289, but a few older
    /// values differ per platform (LINKTYPE_RAW 101 is DLT_RAW 12 on Linux, 14 on
    /// OpenBSD), so those go through the platform's own constants.
    var libpcapDLT: Int32? {
        switch rawValue {
        case 0...10, 50, 51, 104...289: return Int32(rawValue)
        case 100: return Int32(DLT_ATM_RFC1483)
        case 101: return Int32(DLT_RAW)
        case 102: return Int32(DLT_SLIP_BSDOS)
        case 103: return Int32(DLT_PPP_BSDOS)
        default: return nil
        }
    }
}
