import PacketDecoding

/// One host of a synthetic flow.
struct SynthHost {
    var mac: UInt64
    /// IPv4 address (host order), used when the flow is IPv4.
    var ipv4: UInt32
    /// IPv6 address as two big-endian halves (host-order integers), used when IPv6.
    var ipv6High: UInt64
    var ipv6Low: UInt64
    var port: UInt16
}

/// A bidirectional flow: addressing, encapsulation and TCP sequence state.
struct SynthFlow {
    static let tcp: UInt8 = 6
    static let udp: UInt8 = 17

    var client: SynthHost
    var server: SynthHost
    var ipProtocol: UInt8
    var isIPv6: Bool
    /// 802.1Q VLAN id, 0 for untagged frames.
    var vlan: UInt16
    /// Next sequence number each side sends (TCP).
    var clientSeq: UInt32
    var serverSeq: UInt32
    var ipID: UInt16

    /// Largest frame any flow emits (VLAN + IPv6 + TCP + MSS-sized payload fits easily).
    static let maxFrameBytes = 1600
    static let maxPayloadBytes = 1400
}

/// TCP flag bits.
enum TCPFlag {
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let psh: UInt8 = 0x08
    static let ack: UInt8 = 0x10
}

/// Writes frames of a flow into the output: Ethernet (optionally 802.1Q),
/// IPv4 or IPv6, UDP or TCP, with correct checksums unless told otherwise.
struct FrameEncoder {
    /// Builds one frame directly in `out` around `payload`.
    /// - Parameters:
    ///   - seq, ack: TCP sequence/acknowledgement numbers (ignored for UDP).
    ///   - corruptChecksum: store a wrong transport checksum (for checksum weirds).
    /// - Returns: the frame length.
    @inline(__always)
    static func encode(
        into frame: UnsafeMutableRawPointer, flow: inout SynthFlow, fromClient: Bool, tcpFlags: UInt8,
        seq: UInt32, ack: UInt32, payload: UnsafeRawBufferPointer, corruptChecksum: Bool
    ) -> Int {
        let src = fromClient ? flow.client : flow.server
        let dst = fromClient ? flow.server : flow.client
        // Ethernet: destination, source (48-bit big-endian), optional 802.1Q tag, ethertype.
        storeMAC(dst.mac, at: frame)
        storeMAC(src.mac, at: frame + 6)
        var l3 = 12
        if flow.vlan != 0 {
            storeBE(UInt16(0x8100), frame + 12)
            storeBE(flow.vlan & 0x0fff, frame + 14)
            l3 = 16
        }
        storeBE(flow.isIPv6 ? UInt16(0x86DD) : UInt16(0x0800), frame + l3)
        l3 += 2
        let ip = frame + l3
        let l4Header = flow.ipProtocol == SynthFlow.tcp ? 20 : 8
        let l4Length = l4Header + payload.count
        let l4: UnsafeMutableRawPointer
        var pseudo: UInt64
        if flow.isIPv6 {
            storeBE(UInt32(0x6000_0000), ip)
            storeBE(UInt16(l4Length), ip + 4)
            ip.storeBytes(of: flow.ipProtocol, toByteOffset: 6, as: UInt8.self)
            ip.storeBytes(of: UInt8(64), toByteOffset: 7, as: UInt8.self)
            storeBE(src.ipv6High, ip + 8)
            storeBE(src.ipv6Low, ip + 16)
            storeBE(dst.ipv6High, ip + 24)
            storeBE(dst.ipv6Low, ip + 32)
            pseudo = InternetChecksum.add(UnsafeRawBufferPointer(start: ip + 8, count: 32))
            l4 = ip + 40
        } else {
            storeBE(UInt16(0x4500), ip)
            storeBE(UInt16(20 + l4Length), ip + 2)
            storeBE(flow.ipID, ip + 4)
            flow.ipID &+= 1
            storeBE(UInt16(0x4000), ip + 6)  // don't fragment
            ip.storeBytes(of: UInt8(64), toByteOffset: 8, as: UInt8.self)
            ip.storeBytes(of: flow.ipProtocol, toByteOffset: 9, as: UInt8.self)
            ip.storeBytes(of: UInt16(0), toByteOffset: 10, as: UInt16.self)
            storeBE(src.ipv4, ip + 12)
            storeBE(dst.ipv4, ip + 16)
            let headerSum = InternetChecksum.add(UnsafeRawBufferPointer(start: ip, count: 20))
            ip.storeBytes(of: ~InternetChecksum.fold(headerSum), toByteOffset: 10, as: UInt16.self)
            pseudo = InternetChecksum.add(UnsafeRawBufferPointer(start: ip + 12, count: 8))
            l4 = ip + 20
        }
        pseudo &+= UInt64(InternetChecksum.nativeWord(UInt16(flow.ipProtocol)))
        pseudo &+= UInt64(InternetChecksum.nativeWord(UInt16(l4Length)))

        storeBE(src.port, l4)
        storeBE(dst.port, l4 + 2)
        let checksumOffset: Int
        if flow.ipProtocol == SynthFlow.tcp {
            storeBE(seq, l4 + 4)
            storeBE(tcpFlags & TCPFlag.ack != 0 ? ack : 0, l4 + 8)
            l4.storeBytes(of: UInt8(0x50), toByteOffset: 12, as: UInt8.self)  // data offset 5 words
            l4.storeBytes(of: tcpFlags, toByteOffset: 13, as: UInt8.self)
            storeBE(UInt16(64_240), l4 + 14)  // window
            storeBE(UInt16(0), l4 + 18)  // urgent pointer
            checksumOffset = 16
        } else {
            storeBE(UInt16(l4Length), l4 + 4)
            checksumOffset = 6
        }
        l4.storeBytes(of: UInt16(0), toByteOffset: checksumOffset, as: UInt16.self)
        if payload.count > 0 {
            (l4 + l4Header).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        }
        let sum = InternetChecksum.add(UnsafeRawBufferPointer(start: l4, count: l4Length), to: pseudo)
        // The sum is in native-load space, so the complement is stored without swapping.
        var checksum = ~InternetChecksum.fold(sum)
        if flow.ipProtocol == SynthFlow.udp && checksum == 0 { checksum = 0xffff }  // 0 means "none" for UDP
        if corruptChecksum {
            checksum ^= 0x5a5a
            if checksum == 0 { checksum = 0x1234 }
        }
        l4.storeBytes(of: checksum, toByteOffset: checksumOffset, as: UInt16.self)
        return (l4 - frame) + l4Length
    }

    @inline(__always)
    static func storeMAC(_ mac: UInt64, at p: UnsafeMutableRawPointer) {
        storeBE(UInt16(truncatingIfNeeded: mac >> 32), p)
        storeBE(UInt32(truncatingIfNeeded: mac), p + 2)
    }

    @inline(__always)
    static func storeBE<T: FixedWidthInteger>(_ value: T, _ p: UnsafeMutableRawPointer) {
        p.storeBytes(of: value.bigEndian, as: T.self)
    }
}
