// libFuzzer entry point: one UDP RPC message through the portmapper UDP path.
// Built only with RPCREPLAY_FUZZ=1 and -sanitize=fuzzer (see SWIFT-NOTES.md).
import CShims
import PacketDecoding
import Portmapper
import SunRPC

let connection = ConnectionID(originator: IPv4Address(10, 0, 0, 1), originatorPort: 700,
                              responder: IPv4Address(10, 0, 0, 2), responderPort: 111, proto: .udp)

/// The input as a call from each side, then as a reply to a pending portmap
/// call of every procedure with the input's xid, then the timeout sweep; every
/// event is rendered.
func fuzzOneMessage(_ input: UnsafeRawBufferPointer) {
    var buffer = PortmapEventBuffer()
    var analyzer = PortmapUDPAnalyzer(connection: connection, configuration: RPCConfiguration(maximumPendingCalls: 4))
    analyzer.deliver(input, isOrig: true, time: 1, into: &buffer)
    analyzer.deliver(input, isOrig: false, time: 2, into: &buffer)
    analyzer.connectionRemoved(time: 3, into: &buffer)

    let xid: UInt32 = input.count >= 4 ? UInt32(bigEndian: input.loadUnaligned(as: UInt32.self)) : 0
    for procedure: UInt32 in 0...5 {
        var paired = PortmapUDPAnalyzer(connection: connection)
        let call = portmapCall(xid: xid, procedure: procedure)
        call.withUnsafeBytes { paired.deliver($0, isOrig: true, time: 4, into: &buffer) }
        paired.deliver(input, isOrig: false, time: 5, into: &buffer)
        paired.deliver(input, isOrig: true, time: 6, into: &buffer)
        paired.connectionRemoved(time: 7, into: &buffer)
    }
    for event in buffer.events {
        _ = PortmapEventText.line(for: event, payload: buffer.payloadWords)
        _ = PortmapEventText.stderrLine(for: event)
    }
}

/// A well-formed portmap v2 call with plausible arguments for `procedure`.
func portmapCall(xid: UInt32, procedure: UInt32) -> [UInt8] {
    var words: [UInt32] = [xid, 0, 2, 100_000, 2, procedure, 0, 0, 0, 0]
    switch procedure {
    case 1, 2, 3: words += [100_017, 1, 17, 70000]
    case 5: words += [100_001, 1, 2, 4, 0xabcd_ef01]
    default: break
    }
    return words.flatMap { [UInt8($0 >> 24), UInt8(($0 >> 16) & 0xff), UInt8(($0 >> 8) & 0xff), UInt8($0 & 0xff)] }
}

@_cdecl("FuzzRPCUDP_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzOneMessage(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
