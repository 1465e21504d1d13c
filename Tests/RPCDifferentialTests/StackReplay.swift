import CaptureIO
import Connections
import PacketDecoding
import Portmapper
import SunRPC

/// One message header our stack parsed, with the frame that completed it.
struct ParsedMessage {
    /// 1-based frame number (tshark's `frame.number` = our packet sequence + 1).
    var frame: Int
    var header: RPCMessageHeader
}

/// What our stack did with one frame that passed the capture filter: enough to
/// say why a message tshark decodes in that frame has no counterpart here.
struct FrameFate {
    var proto: TransportProtocol?
    /// Captured length < wire length.
    var truncated = false
    /// Intake let the packet through to the connection layer (not dropped,
    /// not a held fragment).
    var reachedConnections = false
    /// A TCP SYN carrying payload (the reference drops that payload: SEMANTICS-CONN `SYN_with_data`).
    var synWithData = false
    /// After processing, the frame's flow (by its endpoints) belongs to a
    /// connection with an RPC analyzer. False for a UDP flow whose first packet
    /// came from port 111: the reference builds that connection with garbage
    /// endpoints and no analyzer (SEMANTICS-RPC §0 "Role flip").
    var flowHasRPCAnalyzer = false
    /// Bytes the connection layer handed to an RPC analyzer while this frame was processed.
    var deliveredBytes = 0
    /// Chunks the TCP record-marking reassembler discarded while resynchronising (SEMANTICS-RPC §1.3.1).
    var resyncDiscardedChunks: UInt64 = 0
    /// Message headers our analyzers recorded in this frame.
    var headers = 0
}

/// Replays a trace through the project's stack the way a one-shard engine does
/// (capture filter, intake, connection layer, RPC analyzers attached at
/// connection creation), in nochecksum mode (the reference's `-C`), recording
/// every RPC message header through the analyzers' observation hook.
final class StackReplay {
    private(set) var messages: [ParsedMessage] = []
    /// Frames that passed the capture filter, by frame number.
    private(set) var frames: [Int: FrameFate] = [:]
    /// Frames the capture filter rejected because they are non-first IPv4
    /// fragments (the filter cannot see their ports; tshark reassembles them).
    private(set) var filteredLaterFragments: Set<Int> = []
    private(set) var statistics = RPCStatistics()

    private var tracker = ConnectionTracker(configuration: ConnectionConfiguration(checksumsEnabled: false))
    private let output = ConnectionOutputBuffer()
    private var events = PortmapEventBuffer(recordingMessageHeaders: true)
    private var udpAnalyzers: [Int32: PortmapUDPAnalyzer] = [:]
    private var tcpAnalyzers: [Int32: PortmapTCPAnalyzer] = [:]
    /// Whether the latest connection created for a flow has an RPC analyzer.
    private var rpcFlows: [FlowEndpoints: Bool] = [:]
    private var fate = FrameFate()
    private var frame = 0

    /// - Parameter path: a pcap, pcapng or zstd-compressed capture.
    init(path: String, filter expression: String = BPFFilter.defaultExpression) throws {
        let reader = try CaptureReader(path: path)
        let filter = try BPFFilter(expression: expression)
        let decoder = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: false))
        while let packet = try reader.next() {
            guard filter.matches(packet) else {
                if Self.isLaterIPv4Fragment(packet) { filteredLaterFragments.insert(Int(packet.sequence) + 1) }
                continue
            }
            frame = Int(packet.sequence) + 1
            fate = FrameFate()
            fate.truncated = packet.capturedLength < packet.wireLength
            let time = PacketTime(packet.timestamp)
            output.removeAll()
            tracker.advanceClock(to: time, into: output)
            drain()
            if case .datagram(let datagram) = decoder.decode(packet),
               let segment = TransportSegment(datagram: datagram, time: time, packetSequence: packet.sequence) {
                fate.proto = segment.proto
                fate.reachedConnections = true
                fate.synWithData = segment.proto == .tcp && segment.tcpFlags.contains(.syn)
                    && segment.length > Int(segment.tcpDataOffset) * 4
                output.removeAll()
                tracker.process(segment, into: output)
                drain()
                fate.flowHasRPCAnalyzer = rpcFlows[FlowEndpoints(segment.source, segment.sourcePort,
                                                                 segment.destination, segment.destinationPort,
                                                                 segment.proto)] ?? false
            }
            frames[frame] = fate
        }
        output.removeAll()
        tracker.finish(into: output)
        drain()
        for analyzer in udpAnalyzers.values { statistics.add(analyzer.statistics) }
        for analyzer in tcpAnalyzers.values { statistics.add(analyzer.statistics) }
    }

    /// An IPv4 packet with a non-zero fragment offset.
    static func isLaterIPv4Fragment(_ packet: CapturedPacket) -> Bool {
        guard let link = LinkLayer.headerLength(packet.linkType), packet.bytes.count >= link + 20,
              packet.bytes[link] >> 4 == 4 else { return false }
        return (UInt16(packet.bytes[link + 6]) << 8 | UInt16(packet.bytes[link + 7])) & 0x1fff != 0
    }

    /// Runs the RPC analyzers on the connection layer's records, in order.
    private func drain() {
        for record in output.records {
            switch record {
            case .connectionCreated(let created):
                let id = created.id
                rpcFlows[FlowEndpoints(id.originator, id.originatorPort, id.responder, id.responderPort, id.proto)] =
                    created.hasRPCAnalyzer
                guard created.hasRPCAnalyzer else { break }
                retire(created.slot.index)
                switch created.id.proto {
                case .udp: udpAnalyzers[created.slot.index] = PortmapUDPAnalyzer(connection: created.id)
                case .tcp: tcpAnalyzers[created.slot.index] = PortmapTCPAnalyzer(connection: created.id)
                case .icmp: break
                }
            case .udpPayload(let payload):
                guard udpAnalyzers[payload.slot.index] != nil else { break }
                let bytes = output.bytes(payload.bytes)
                fate.deliveredBytes += bytes.count
                udpAnalyzers[payload.slot.index]!.deliver(bytes, isOrig: payload.isOriginator, time: payload.time,
                                                          into: &events)
            case .tcpData(let data):
                guard let before = tcpAnalyzers[data.slot.index]?.statistics.resyncDiscardedChunks else { break }
                let bytes = output.bytes(data.bytes)
                fate.deliveredBytes += bytes.count
                tcpAnalyzers[data.slot.index]!.deliverStream(bytes, isOrig: data.isOriginator, time: data.time,
                                                             into: &events)
                fate.resyncDiscardedChunks += tcpAnalyzers[data.slot.index]!.statistics.resyncDiscardedChunks - before
            case .tcpUndelivered(let range):
                tcpAnalyzers[range.slot.index]?.contentGap(isOrig: range.isOriginator)
            case .connectionRemoving(let removal) where removal.hasRPCAnalyzer:
                let index = removal.slot.index
                udpAnalyzers[index]?.connectionRemoved(time: removal.time, into: &events)
                tcpAnalyzers[index]?.connectionFinished(
                    originatorClosed: removal.originatorIsOrWasClosed,
                    originatorSentData: removal.summary.originator.size > 0, time: removal.time, into: &events)
            case .connectionRemoved(let removed):
                if let slot = removed.slot { retire(slot.index) }
            default:
                break
            }
        }
        for header in events.messageHeaders {
            messages.append(ParsedMessage(frame: frame, header: header))
        }
        fate.headers += events.messageHeaders.count
        events.removeAll()
    }

    /// A slot's connection is gone: keep its analyzers' counters, drop the analyzers.
    private func retire(_ index: Int32) {
        if let analyzer = udpAnalyzers.removeValue(forKey: index) { statistics.add(analyzer.statistics) }
        if let analyzer = tcpAnalyzers.removeValue(forKey: index) { statistics.add(analyzer.statistics) }
    }
}

/// A flow's endpoints in either direction.
struct FlowEndpoints: Hashable {
    var low: UInt64, high: UInt64, proto: TransportProtocol

    init(_ a: IPv4Address, _ aPort: UInt16, _ b: IPv4Address, _ bPort: UInt16, _ proto: TransportProtocol) {
        let x = UInt64(a.value) << 16 | UInt64(aPort), y = UInt64(b.value) << 16 | UInt64(bPort)
        (low, high, self.proto) = (min(x, y), max(x, y), proto)
    }
}
