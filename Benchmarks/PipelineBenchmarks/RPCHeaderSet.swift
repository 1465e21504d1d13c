import Benchmark
import CaptureIO
import PacketDecoding
import SunRPC

/// Real RPC message starts mined from the corpora: the bytes the UDP message
/// path (`RPCUDPAnalyzer`) and the TCP record path (`RPCTCPInterpreter`) hand
/// to `RPCFixedPrefix.parse`, i.e. the UDP payload of a port-111 datagram, and
/// the bytes after the 4-byte record mark of a port-111 TCP segment that
/// starts with one.
///
/// Each message is kept in a 32-byte slot with its length capped at 32: the
/// parsers read at most the first 32 bytes, so the capped buffer takes exactly
/// the branch the full one takes (>= 32, 24 ..< 32, or the short scalar path),
/// and a few thousand headers stay in L1/L2, so the loop measures the parser
/// rather than memory.
final class RPCHeaderSet {
    static let slot = 32
    let storage: UnsafeMutableRawBufferPointer
    let lengths: [Int]
    var count: Int { lengths.count }

    init(traces: [String]) throws {
        var bytes: [UInt8] = []
        var lengths: [Int] = []
        let decoder = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: false))
        for path in traces {
            let reader = try CaptureReader(path: path)
            while let packet = try reader.next() {
                guard case .datagram(let datagram) = decoder.decode(packet),
                      let ports = datagram.ports, ports.source == 111 || ports.destination == 111
                else { continue }
                let message: UnsafeRawBufferPointer
                if let udp = datagram.udp {
                    message = udp.payload
                } else if let tcp = datagram.tcp, tcp.payload.count > 4 {
                    message = UnsafeRawBufferPointer(rebasing: tcp.payload[4...])
                } else {
                    continue
                }
                let kept = min(message.count, Self.slot)
                bytes.append(contentsOf: message.prefix(kept))
                bytes.append(contentsOf: repeatElement(0, count: Self.slot - kept))
                lengths.append(kept)
            }
        }
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        storage.copyBytes(from: bytes)
        self.lengths = lengths
    }

    deinit { storage.deallocate() }

    /// How many headers take each parser branch (for RESULTS.md).
    var branchCounts: (full: Int, partial: Int, short: Int) {
        var full = 0, partial = 0, short = 0
        for length in lengths {
            if length >= 32 { full += 1 } else if length >= 24 { partial += 1 } else { short += 1 }
        }
        return (full, partial, short)
    }
}

/// One timed sweep of a parser over the header set, `passes` times.
///
/// The two functions are written out rather than sharing a generic closure, so
/// each parser is inlined into its own loop as it is at its real call sites.
enum PrefixSweep {
    /// Returns seconds; folds every result into `sink` so nothing is dropped.
    @inline(never)
    static func vector(_ set: RPCHeaderSet, passes: Int, sink: inout UInt64) -> Double {
        let base = UnsafeRawBufferPointer(set.storage)
        let start = nowSeconds()
        var acc: UInt64 = 0
        for _ in 0 ..< passes {
            set.lengths.withUnsafeBufferPointer { lengths in
                for index in lengths.indices {
                    let bytes = UnsafeRawBufferPointer(rebasing: base[index &* RPCHeaderSet.slot ..< index &* RPCHeaderSet.slot &+ lengths[index]])
                    let prefix = RPCFixedPrefix.parse(bytes)
                    acc &+= UInt64(prefix.flags.rawValue) &+ UInt64(prefix.words[0] ^ prefix.words[5]) &+ UInt64(prefix.wordCount)
                }
            }
        }
        let seconds = nowSeconds() - start
        sink &+= acc
        return seconds
    }

    @inline(never)
    static func scalar(_ set: RPCHeaderSet, passes: Int, sink: inout UInt64) -> Double {
        let base = UnsafeRawBufferPointer(set.storage)
        let start = nowSeconds()
        var acc: UInt64 = 0
        for _ in 0 ..< passes {
            set.lengths.withUnsafeBufferPointer { lengths in
                for index in lengths.indices {
                    let bytes = UnsafeRawBufferPointer(rebasing: base[index &* RPCHeaderSet.slot ..< index &* RPCHeaderSet.slot &+ lengths[index]])
                    let prefix = RPCFixedPrefix.parseScalar(bytes)
                    acc &+= UInt64(prefix.flags.rawValue) &+ UInt64(prefix.words[0] ^ prefix.words[5]) &+ UInt64(prefix.wordCount)
                }
            }
        }
        let seconds = nowSeconds() - start
        sink &+= acc
        return seconds
    }
}
