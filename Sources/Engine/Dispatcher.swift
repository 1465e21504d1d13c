import CaptureIO
import Connections
import PacketDecoding

/// One packet that passed the capture filter, decoded and assigned to a shard.
///
/// `intake` and `weirds` are views valid until the dispatcher reads the next
/// packet; the shard consumes them before that.
struct DispatchedPacket {
    var sequence: UInt64
    var time: PacketTime
    /// What intake made of it (datagram view, dropped with a weird, ignored, ...).
    var intake: PacketIntakeResult
    /// Net/flow weirds intake raised for it, in order (the dropping one last).
    var weirds: [PacketWeird]
    /// The shard that owns the packet's flow (every other shard only sees the clock).
    var shard: Int
    /// A TCP packet reached connection lookup: every shard's compressor expires its
    /// old pending SYNs at this point, as the reference's single compressor does.
    var reachesTCPLookup: Bool
}

/// Why the dispatcher stopped before the end of the input.
public enum DispatchFailure: Error, Sendable, CustomStringConvertible {
    /// A capture file could not be read (or is corrupt at some offset).
    case capture(CaptureError)
    /// A packet's link type is one the reference refuses ("unknown data link type").
    case unknownLinkType(LinkType, file: String)

    public var description: String {
        switch self {
        case .capture(let error): return error.description
        case .unknownLinkType(let linkType, let file): return "\(file): unknown data link type \(linkType)"
        }
    }
}

/// Reads the trace, applies the capture filter, runs packet intake and picks the
/// shard of each packet by the direction-independent flow hash.
///
/// Intake runs here rather than in the shards because net weirds and IP fragments
/// are not per flow; what a shard needs is the decoded datagram.
final class Dispatcher {
    let reader: TraceReader
    let filter: BPFFilter
    let decoder: PacketDecoder
    let shardCount: Int
    /// The last link type found acceptable (traces rarely mix link types).
    @exclusivity(unchecked) private var acceptedLinkType: LinkType? = nil
    @exclusivity(unchecked) private(set) var packetsRead: UInt64 = 0
    @exclusivity(unchecked) private(set) var packetsMatched: UInt64 = 0

    init(reader: TraceReader, filter: BPFFilter, decoder: PacketDecoder, shardCount: Int) {
        self.reader = reader
        self.filter = filter
        self.decoder = decoder
        self.shardCount = max(1, shardCount)
    }

    /// The next packet that passes the filter, or nil at the end of the input.
    /// - Throws: `DispatchFailure` at a read fault; every earlier packet was returned.
    func next() throws(DispatchFailure) -> DispatchedPacket? {
        while true {
            let packet: CapturedPacket
            do {
                guard let p = try reader.next() else { return nil }
                packet = p
            } catch {
                throw .capture(error)
            }
            packetsRead &+= 1
            // The reference refuses a file of a link type it has no header length
            // for before reading any packet, whatever the filter would say.
            if packet.linkType != acceptedLinkType {
                guard LinkLayer.headerLength(packet.linkType) != nil else {
                    throw .unknownLinkType(packet.linkType, file: reader.current?.path ?? "")
                }
                acceptedLinkType = packet.linkType
            }
            guard filter.matches(packet) else { continue }
            packetsMatched &+= 1
            let intake = decoder.decode(packet)
            var shard = 0
            var tcpLookup = false
            switch intake {
            case .datagram(let datagram):
                tcpLookup = datagram.transport == .tcp
                if shardCount > 1, let key = FlowKey(datagram) {
                    shard = Int(key.dispatchHash % UInt64(shardCount))
                }
            case .weird, .ignored, .fragmentHeld, .unknownLinkType:
                break
            }
            return DispatchedPacket(
                sequence: packet.sequence, time: PacketTime(packet.timestamp), intake: intake,
                weirds: decoder.weirds, shard: shard, reachesTCPLookup: tcpLookup)
        }
    }
}
