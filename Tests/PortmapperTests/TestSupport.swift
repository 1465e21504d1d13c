import PacketDecoding
import Portmapper
import SunRPC
import XCTest

/// Builds XDR messages word by word (test-only).
struct XDR {
    var bytes: [UInt8] = []

    init() {}
    init(_ words: [UInt32]) { for w in words { word(w) } }

    @discardableResult
    mutating func word(_ value: UInt32) -> XDR {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
        return self
    }

    mutating func words(_ values: UInt32...) { for v in values { word(v) } }

    /// Opaque: length word, body, zero padding.
    mutating func opaque(_ body: [UInt8]) {
        word(UInt32(body.count))
        bytes += body
        bytes += [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
    }

    mutating func raw(_ more: [UInt8]) { bytes += more }

    /// A CALL: xid, 0, rpcvers, prog, vers, proc, credential, verifier, then `arguments`.
    static func call(xid: UInt32, program: UInt32 = 100_000, version: UInt32 = 2, procedure: UInt32,
                     rpcVersion: UInt32 = 2, credential: (UInt32, [UInt8]) = (0, []),
                     verifier: (UInt32, [UInt8]) = (0, []), arguments: [UInt32] = [],
                     trailing: [UInt8] = []) -> [UInt8] {
        var x = XDR([xid, 0, rpcVersion, program, version, procedure])
        x.word(credential.0)
        x.opaque(credential.1)
        x.word(verifier.0)
        x.opaque(verifier.1)
        for a in arguments { x.word(a) }
        x.raw(trailing)
        return x.bytes
    }

    /// An AUTH_UNIX-like credential body of `count` bytes.
    static func authBody(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) } }

    /// An accepted REPLY: xid, 1, 0, verifier (AUTH_NULL), accept_stat, then `results`.
    static func accepted(xid: UInt32, acceptStat: UInt32 = 0, results: [UInt32] = [],
                         verifier: (UInt32, [UInt8]) = (0, []), trailing: [UInt8] = []) -> [UInt8] {
        var x = XDR([xid, 1, 0])
        x.word(verifier.0)
        x.opaque(verifier.1)
        x.word(acceptStat)
        for r in results { x.word(r) }
        x.raw(trailing)
        return x.bytes
    }

    /// A denied REPLY: xid, 1, 1, reject_stat, then `words`.
    static func denied(xid: UInt32, rejectStat: UInt32, words: [UInt32]) -> [UInt8] {
        XDR([xid, 1, 1, rejectStat] + words).bytes
    }

    /// One record-marking record (single last fragment).
    static func record(_ message: [UInt8]) -> [UInt8] {
        XDR([0x8000_0000 | UInt32(message.count)]).bytes + message
    }

    /// A fragment with its marker.
    static func fragment(_ data: [UInt8], last: Bool) -> [UInt8] {
        XDR([(last ? 0x8000_0000 : 0) | UInt32(data.count)]).bytes + data
    }
}

enum Conn {
    static let udp = ConnectionID(originator: IPv4Address(127, 0, 0, 1), originatorPort: 45746,
                                  responder: IPv4Address(127, 0, 0, 1), responderPort: 111, proto: .udp)
    static let tcp = ConnectionID(originator: IPv4Address(127, 0, 0, 1), originatorPort: 48162,
                                  responder: IPv4Address(127, 0, 0, 1), responderPort: 111, proto: .tcp)
}

/// Drives one UDP analyzer and renders what it raised.
struct UDPHarness {
    var analyzer = PortmapUDPAnalyzer(connection: Conn.udp)
    var buffer = PortmapEventBuffer()

    init(configuration: RPCConfiguration = RPCConfiguration()) {
        analyzer = PortmapUDPAnalyzer(connection: Conn.udp, configuration: configuration)
    }

    mutating func send(_ bytes: [UInt8], orig: Bool = true, at time: Double) {
        bytes.withUnsafeBytes { analyzer.deliver($0, isOrig: orig, time: time, into: &buffer) }
    }

    mutating func remove(at time: Double) { analyzer.connectionRemoved(time: time, into: &buffer) }

    var lines: [String] { buffer.events.compactMap { PortmapEventText.line(for: $0, payload: buffer.payloadWords) } }
    var kinds: [RPCEventKind<PortmapEvent>] { buffer.events.map(\.kind) }
    var weirdNames: [String] { buffer.events.compactMap { if case .weird(let w) = $0.kind { return w.name } else { return nil } } }

    /// Lines without the leading time and connection (`rpc_call prog=...`).
    var shortLines: [String] { lines.map(shorten) }
}

/// Drives one TCP analyzer.
struct TCPHarness {
    var analyzer: PortmapTCPAnalyzer
    var buffer = PortmapEventBuffer()

    init(configuration: RPCConfiguration = RPCConfiguration()) {
        analyzer = PortmapTCPAnalyzer(connection: Conn.tcp, configuration: configuration)
    }

    mutating func send(_ bytes: [UInt8], orig: Bool = true, at time: Double) {
        bytes.withUnsafeBytes { analyzer.deliverStream($0, isOrig: orig, time: time, into: &buffer) }
    }

    /// Sends `bytes` cut into the given segment sizes (the rest as a last segment).
    mutating func send(_ bytes: [UInt8], segments sizes: [Int], orig: Bool = true, at time: Double) {
        var start = 0
        for size in sizes where start < bytes.count {
            let end = min(bytes.count, start + size)
            send(Array(bytes[start..<end]), orig: orig, at: time)
            start = end
        }
        if start < bytes.count { send(Array(bytes[start...]), orig: orig, at: time) }
    }

    mutating func finish(closed: Bool = true, sentData: Bool = true, at time: Double) {
        analyzer.connectionFinished(originatorClosed: closed, originatorSentData: sentData, time: time, into: &buffer)
    }

    var lines: [String] { buffer.events.compactMap { PortmapEventText.line(for: $0, payload: buffer.payloadWords) } }
    var shortLines: [String] { lines.map(shorten) }
    var weirdNames: [String] { buffer.events.compactMap { if case .weird(let w) = $0.kind { return w.name } else { return nil } } }
}

/// `T NAME A:P/x > B:Q/x ARGS` → `NAME ARGS`.
func shorten(_ line: String) -> String {
    let parts = line.split(separator: " ", omittingEmptySubsequences: false)
    guard parts.count >= 5 else { return line }
    return ([parts[1]] + parts[5...]).joined(separator: " ")
}
