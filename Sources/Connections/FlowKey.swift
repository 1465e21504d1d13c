import PacketDecoding

// TODO(merge h-decode): PacketDecoding will own the canonical flow key; this is the
// minimal private version the connection tables need until then.

/// The reference's direction-independent connection key (SEMANTICS-CONN §2.1).
///
/// "Side 1" is the endpoint whose address (then port), read as the little-endian
/// integer of its network-order bytes, is smaller. The order only matters for the
/// key's 12 wire bytes, which feed the reference's hash-table order (§2.8).
struct FlowKey: Hashable, Sendable {
    /// Host-order addresses and ports of side 1 and side 2.
    var address1: UInt32
    var address2: UInt32
    var port1: UInt16
    var port2: UInt16

    @inlinable
    init(_ a: IPv4Address, _ portA: UInt16, _ b: IPv4Address, _ portB: UInt16) {
        // Network-order bytes loaded little-endian == byte-swapped host value.
        let la = a.value.byteSwapped, lb = b.value.byteSwapped
        let aFirst = la < lb || (la == lb && portA.byteSwapped < portB.byteSwapped)
        if aFirst {
            address1 = a.value; port1 = portA; address2 = b.value; port2 = portB
        } else {
            address1 = b.value; port1 = portB; address2 = a.value; port2 = portA
        }
    }

    /// The 12 key bytes in wire order: address 1, address 2, port 1, port 2.
    var wireBytes: [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
        func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
        return be32(address1) + be32(address2) + be16(port1) + be16(port2)
    }
}
