import Connections
import PacketDecoding
import XCTest

/// One side of a hand-built flow.
struct Host {
    var address: IPv4Address
    var port: UInt16

    static let client = Host(address: IPv4Address(10, 0, 0, 1), port: 40000)
    static let server = Host(address: IPv4Address(10, 0, 0, 2), port: 111)
    static let client2 = Host(address: IPv4Address(10, 0, 0, 3), port: 40001)
    static let server2 = Host(address: IPv4Address(10, 0, 0, 4), port: 111)
}

enum ChecksumKind { case good, bad, zero }

/// Builds UDP/TCP packets by hand and feeds them to a tracker exactly as a
/// one-shard engine would (clock first, then the packet), collecting output.
final class Harness {
    var tracker: ConnectionTracker
    let out = ConnectionOutputBuffer()
    /// Every record, in order, with the bytes of payload records copied out.
    private(set) var records: [ConnectionOutput] = []
    private(set) var payloads: [(record: ConnectionOutput, bytes: [UInt8])] = []
    private var packets: [UnsafeMutableRawBufferPointer] = []
    private var sequence: UInt64 = 0

    init(checksums: Bool = false, configure: (inout ConnectionConfiguration) -> Void = { _ in }) {
        var config = ConnectionConfiguration(checksumsEnabled: checksums)
        configure(&config)
        tracker = ConnectionTracker(configuration: config)
    }

    deinit { packets.forEach { $0.deallocate() } }

    // MARK: Packets

    @discardableResult
    func tcp(_ t: Double, _ from: Host, _ to: Host, _ flags: TCPFlags, seq: UInt32, ack: UInt32 = 0,
             payload: [UInt8] = [], window: UInt16 = 65535, options: [UInt8] = [],
             checksum: ChecksumKind = .good, capturedPayload: Int? = nil) -> Int {
        let headerLength = 20 + options.count
        var bytes = [UInt8](repeating: 0, count: headerLength)
        put16(&bytes, 0, from.port); put16(&bytes, 2, to.port)
        put32(&bytes, 4, seq); put32(&bytes, 8, ack)
        bytes[12] = UInt8(headerLength / 4) << 4
        bytes[13] = flags.rawValue
        put16(&bytes, 14, window)
        bytes.replaceSubrange(20 ..< headerLength, with: options)
        bytes += payload
        return send(t, from, to, .tcp, bytes, checksumOffset: 16, checksum: checksum,
                    captured: capturedPayload.map { headerLength + $0 })
    }

    @discardableResult
    func udp(_ t: Double, _ from: Host, _ to: Host, payload: [UInt8], udpLength: Int? = nil,
             checksum: ChecksumKind = .good, capturedPayload: Int? = nil) -> Int {
        var bytes = [UInt8](repeating: 0, count: 8)
        put16(&bytes, 0, from.port); put16(&bytes, 2, to.port)
        put16(&bytes, 4, UInt16(udpLength ?? 8 + payload.count))
        bytes += payload
        return send(t, from, to, .udp, bytes, checksumOffset: 6, checksum: checksum,
                    captured: capturedPayload.map { 8 + $0 })
    }

    /// Clock advance for a packet that never reaches this tracker's flows.
    func tick(_ t: Double) {
        out.removeAll()
        tracker.advanceClock(to: PacketTime(seconds: t), into: out)
        collect()
    }

    func finish() {
        out.removeAll()
        tracker.finish(into: out)
        collect()
    }

    /// Returns the index of the packet's first record.
    private func send(_ t: Double, _ from: Host, _ to: Host, _ proto: TransportProtocol, _ segment: [UInt8],
                      checksumOffset: Int, checksum: ChecksumKind, captured: Int?) -> Int {
        var bytes = segment
        var sum = pseudoSum(from.address, to.address, proto, bytes.count)
        sum = bytes.withUnsafeBytes { InternetChecksum.add($0, to: sum) }
        var value = InternetChecksum.wireOrder(~InternetChecksum.fold(sum))
        switch checksum {
        case .good: break
        case .bad: value ^= 0x5a5a
        case .zero: value = 0
        }
        if proto == .udp && checksum == .good && value == 0 { value = 0xffff }
        put16(&bytes, checksumOffset, value)
        let keep = min(captured ?? bytes.count, bytes.count)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(keep, 1), alignment: 8)
        memory.copyBytes(from: bytes[0 ..< keep])
        packets.append(memory)
        let time = PacketTime(seconds: t)
        let segment = TransportSegment(
            source: from.address, destination: to.address, proto: proto, time: time,
            packetSequence: sequence, length: bytes.count, capturedLength: keep,
            transportBytes: UnsafeRawBufferPointer(rebasing: memory[0 ..< keep]))!
        sequence += 1
        let first = records.count
        out.removeAll()
        tracker.processPacket(segment, into: out)
        collect()
        return first
    }

    private func collect() {
        for record in out.records {
            records.append(record)
            switch record {
            case .udpPayload(let p), .tcpData(let p):
                payloads.append((record, Array(out.bytes(p.bytes))))
            default: break
            }
        }
    }

    private func pseudoSum(_ s: IPv4Address, _ d: IPv4Address, _ proto: TransportProtocol, _ length: Int) -> UInt64 {
        var words = (s.value.bigEndian, d.value.bigEndian, UInt32(proto.rawValue).bigEndian, UInt32(length).bigEndian)
        return withUnsafeBytes(of: &words) { InternetChecksum.add($0) }
    }

    private func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
        b[at] = UInt8(v >> 8); b[at + 1] = UInt8(v & 0xff)
    }

    private func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        b[at] = UInt8(v >> 24); b[at + 1] = UInt8(v >> 16 & 0xff); b[at + 2] = UInt8(v >> 8 & 0xff); b[at + 3] = UInt8(v & 0xff)
    }

    // MARK: Views of the output

    var removals: [ConnectionRemoved] {
        records.compactMap { if case .connectionRemoved(let r) = $0 { return r } else { return nil } }
    }

    /// conn.log lines with the port-derived service and the connection layer's addl.
    var connLines: [String] { removals.map { ConnLog.line($0.summary, addl: $0.summary.initialAddl) } }

    var weirdNames: [String] {
        records.compactMap { if case .weird(let w) = $0 { return w.name.description } else { return nil } }
    }

    var events: [ConnectionEventKind] {
        records.compactMap { if case .event(let e) = $0 { return e.kind } else { return nil } }
    }

    /// Delivered TCP chunks per direction, as strings of bytes.
    func tcpChunks(originator: Bool) -> [[UInt8]] {
        payloads.compactMap { entry in
            if case .tcpData(let p) = entry.record, p.isOriginator == originator { return entry.bytes }
            return nil
        }
    }

    func udpPayloads() -> [[UInt8]] {
        payloads.compactMap { entry in
            if case .udpPayload = entry.record { return entry.bytes }
            return nil
        }
    }

    /// A short description of each record from index `from` on (for order checks).
    func kinds(from start: Int = 0) -> [String] {
        records[start...].map { record in
            switch record {
            case .weird(let w): return "weird:\(w.name)"
            case .event(let e): return "event:\(e.kind)"
            case .udpPayload: return "udpPayload"
            case .tcpData(let p): return "tcpData:\(p.isOriginator ? "o" : "r")"
            case .tcpUndelivered(let r): return "undelivered:\(r.sequence)+\(r.length)"
            case .contentGap(let r): return "contentGap:\(r.sequence)+\(r.length)"
            case .ackAboveHole: return "ackAboveHole"
            case .rexmitInconsistency: return "rexmit"
            case .connectionCreated: return "created"
            case .connectionRemoving(let r): return "removing:\(r.reason)"
            case .connectionRemoved(let r): return "removed:\(r.reason)"
            }
        }
    }
}

extension Harness {
    /// A complete handshake between `c` and `s` (ISNs `ci`, `si`) at times t, t+0.1, t+0.2.
    func handshake(_ t: Double, _ c: Host = .client, _ s: Host = .server, ci: UInt32 = 1000, si: UInt32 = 5000) {
        tcp(t, c, s, .syn, seq: ci)
        tcp(t + 0.1, s, c, [.syn, .ack], seq: si, ack: ci &+ 1)
        tcp(t + 0.2, c, s, .ack, seq: ci &+ 1, ack: si &+ 1)
    }
}

/// Bytes 0, 1, 2, ... of the given length, offset by `start` (distinct content per range).
func bytes(_ count: Int, start: Int = 0) -> [UInt8] {
    (0 ..< count).map { UInt8(truncatingIfNeeded: start + $0) }
}
