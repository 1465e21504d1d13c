// libFuzzer entry point: a TCP byte stream through the record-marking
// reassemblers and the interpreter. Built only with RPCREPLAY_FUZZ=1.
import CShims
import PacketDecoding
import Portmapper
import SunRPC

let connection = ConnectionID(originator: IPv4Address(10, 0, 0, 1), originatorPort: 700,
                              responder: IPv4Address(10, 0, 0, 2), responderPort: 111, proto: .tcp)

/// Input layout: byte 0 = n (number of cut bytes, 0...15), then n cut bytes,
/// then the stream. Each cut byte gives a segment length (low 7 bits + 1) and,
/// in its top bit, the direction; a cut byte of exactly 0xff is a content gap
/// on the originator side instead. The cuts repeat until the stream is used up.
func fuzzStream(_ input: UnsafeRawBufferPointer) {
    guard input.count > 0 else { return }
    let cutCount = min(Int(input[0] & 0x0f), input.count - 1)
    let cuts = UnsafeRawBufferPointer(rebasing: input[1..<(1 + cutCount)])
    let stream = UnsafeRawBufferPointer(rebasing: input[(1 + cutCount)...])
    var buffer = PortmapEventBuffer()
    var analyzer = PortmapTCPAnalyzer(connection: connection, configuration: RPCConfiguration(maximumPendingCalls: 8))
    var position = 0
    var cutIndex = 0
    var time = 1.0
    while position < stream.count {
        var length = stream.count - position
        var isOrig = true
        if cutCount > 0 {
            let cut = cuts[cutIndex % cutCount]
            cutIndex += 1
            if cut == 0xff {
                analyzer.contentGap(isOrig: true)
                if cutIndex > 4 * stream.count { break }
                continue
            }
            length = min(length, Int(cut & 0x7f) + 1)
            isOrig = cut & 0x80 == 0
        }
        analyzer.deliverStream(UnsafeRawBufferPointer(rebasing: stream[position..<(position + length)]),
                               isOrig: isOrig, time: time, into: &buffer)
        position += length
        time += 0.001
        if buffer.events.count > 4096 { buffer.removeAll() }
    }
    analyzer.connectionFinished(originatorClosed: true, originatorSentData: true, time: time, into: &buffer)
    PortmapScriptEffects.appendBadPortWeirds(to: &buffer, fromEventIndex: 0)
    for event in buffer.events {
        _ = PortmapEventText.line(for: event, payload: buffer.payloadWords)
    }
}

@_cdecl("FuzzRPCTCPStream_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzStream(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
