import CaptureIO
import Foundation

/// Builds small Ethernet/IPv4 traces with valid IP, TCP and UDP checksums, for
/// cases no corpus holds.
struct TraceBuilder {
    struct Endpoint {
        var address: [UInt8]
        var port: UInt16
    }

    struct Frame {
        var time: Double
        var bytes: [UInt8]
    }

    private(set) var frames: [Frame] = []
    private var ipID: UInt16 = 1

    /// TCP flag bits.
    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10

    mutating func tcp(_ time: Double, from source: Endpoint, to destination: Endpoint, flags: UInt8,
                      seq: UInt32, ack: UInt32, payload: [UInt8] = []) {
        var segment = [UInt8]()
        segment += be16(source.port) + be16(destination.port) + be32(seq) + be32(ack)
        segment += [0x50, flags] + be16(65535) + [0, 0, 0, 0]  // offset 5, window, checksum, urgent
        segment += payload
        let sum = checksum(pseudoHeader(source, destination, protocolNumber: 6, length: segment.count) + segment)
        segment[16] = UInt8(sum >> 8)
        segment[17] = UInt8(sum & 0xff)
        append(time, source, destination, protocolNumber: 6, transport: segment)
    }

    mutating func udp(_ time: Double, from source: Endpoint, to destination: Endpoint, payload: [UInt8]) {
        var datagram = be16(source.port) + be16(destination.port) + be16(UInt16(8 + payload.count)) + [0, 0]
        datagram += payload
        var sum = checksum(pseudoHeader(source, destination, protocolNumber: 17, length: datagram.count) + datagram)
        if sum == 0 { sum = 0xffff }
        datagram[6] = UInt8(sum >> 8)
        datagram[7] = UInt8(sum & 0xff)
        append(time, source, destination, protocolNumber: 17, transport: datagram)
    }

    private mutating func append(_ time: Double, _ source: Endpoint, _ destination: Endpoint,
                                 protocolNumber: UInt8, transport: [UInt8]) {
        var ip: [UInt8] = [0x45, 0] + be16(UInt16(20 + transport.count)) + be16(ipID) + [0x40, 0, 64, protocolNumber, 0, 0]
        ip += source.address + destination.address
        ipID &+= 1
        let sum = checksum(ip)
        ip[10] = UInt8(sum >> 8)
        ip[11] = UInt8(sum & 0xff)
        let ethernet: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
        frames.append(Frame(time: time, bytes: ethernet + ip + transport))
    }

    /// Writes the frames as a microsecond Ethernet pcap.
    func write(to path: String) throws {
        let writer = try PcapWriter(path: path, linkType: .ethernet)
        for frame in frames {
            let seconds = frame.time.rounded(.down)
            let micros = UInt32(((frame.time - seconds) * 1e6).rounded())
            try frame.bytes.withUnsafeBytes { bytes in
                try writer.write(timestamp: CaptureTimestamp(seconds: Int64(seconds), nanoseconds: micros * 1000),
                                 wireLength: UInt32(bytes.count), bytes: bytes)
            }
        }
        try writer.close()
    }

    // MARK: - Wire helpers

    private func pseudoHeader(_ source: Endpoint, _ destination: Endpoint, protocolNumber: UInt8, length: Int) -> [UInt8] {
        source.address + destination.address + [0, protocolNumber] + be16(UInt16(length))
    }

    private func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
func be32(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

/// XDR-encoded portmapper messages (RFC 1833 version 2).
enum PortmapMessages {
    /// GETPORT call: xid, CALL, rpcvers 2, prog 100000, vers 2, proc 3, AUTH_NULL cred and
    /// verifier, then the mapping (prog, vers, prot, port 0).
    static func getportCall(xid: UInt32, program: UInt32, version: UInt32, protocolNumber: UInt32) -> [UInt8] {
        [xid, 0, 2, 100_000, 2, 3, 0, 0, 0, 0, program, version, protocolNumber, 0].flatMap(be32)
    }

    /// Accepted, successful reply carrying one port word.
    static func getportReply(xid: UInt32, port: UInt32) -> [UInt8] {
        [xid, 1, 0, 0, 0, 0, port].flatMap(be32)
    }

    /// A TCP record: last-fragment marker, then the message.
    static func record(_ message: [UInt8]) -> [UInt8] {
        be32(0x8000_0000 | UInt32(message.count)) + message
    }
}
