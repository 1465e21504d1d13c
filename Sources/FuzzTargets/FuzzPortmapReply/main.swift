// libFuzzer entry point: one portmapper reply body (the bytes after
// accept_stat) decoded for every procedure, by the UDP (binpac) rules and by
// the TCP interpreter's rules. Built only with RPCREPLAY_FUZZ=1.
import CShims
import PacketDecoding
import Portmapper
import SunRPC

let stamp = RPCEventStamp(
    time: 1,
    connection: ConnectionID(originator: IPv4Address(10, 0, 0, 1), originatorPort: 700,
                             responder: IPv4Address(10, 0, 0, 2), responderPort: 111, proto: .udp))

let argumentsByProcedure: [PortmapCallArguments] = [
    .none,
    .mapping(PortmapMapping(program: 100_017, version: 1, port: PortmapPort(number: 4464, isTCP: false))),
    .mapping(PortmapMapping(program: 100_017, version: 1, port: PortmapPort(number: 4464, isTCP: true))),
    .portRequest(PortmapPortRequest(program: 100_003, version: 3, isTCP: true)),
    .none,
    .callit(PortmapCallitRequest(program: 100_001, version: 1, procedure: 2, argumentSize: 9)),
]

func fuzzReplyBody(_ body: UnsafeRawBufferPointer) {
    var buffer = PortmapEventBuffer()
    var statistics = RPCStatistics()
    for procedure in 0..<6 {
        let arguments = argumentsByProcedure[procedure]
        var udp = XDRCursor(body)
        let mark = buffer.payloadWords.count
        do throws(BinpacException) {
            try Portmap.parseUDPSuccessResults(procedure: UInt32(procedure), arguments: arguments,
                                               cursor: &udp, stamp: stamp, events: &buffer)
        } catch {
            buffer.truncatePayload(to: mark)
            _ = error.message
        }
        precondition(udp.offset <= body.count)
        for status: UInt32 in [0, 2, 6, 12] {
            var tcp = XDRCursor(body)
            _ = Portmap.decodeTCPReply(procedure: UInt32(procedure), arguments: arguments,
                                       status: RPCStatus(rawValue: status), cursor: &tcp, stamp: stamp,
                                       events: &buffer, statistics: &statistics)
            precondition(tcp.offset <= body.count)
        }
    }
    for event in buffer.events {
        _ = PortmapEventText.line(for: event, payload: buffer.payloadWords)
    }
}

@_cdecl("FuzzPortmapReply_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzReplyBody(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
