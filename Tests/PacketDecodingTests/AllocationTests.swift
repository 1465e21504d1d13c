import CaptureIO
import PacketDecodingAllocationCounter
import XCTest
@testable import PacketDecoding

/// The normal path (unfragmented TCP/UDP, header views, checksums, flow keys, option
/// walk, and the common drop paths once warmed up) performs no heap allocation.
final class AllocationTests: XCTestCase {
    override func setUpWithError() throws {
        rr_allocation_count_begin()
        if rr_allocation_count_end() < 0 { throw XCTSkip("allocation counting needs glibc") }
    }

    func testCounterSeesAllocations() {
        rr_allocation_count_begin()
        let array = [Int](repeating: 1, count: Int.random(in: 100 ... 200))
        let count = rr_allocation_count_end()
        XCTAssertGreaterThan(array.count, 0)
        XCTAssertGreaterThan(count, 0, "the interposed malloc is not in effect")
    }

    func testDecodingHotPathDoesNotAllocate() {
        var udp = IPv4Builder()
        udp.payload = udpSegment(payload: Array(repeating: 7, count: 101))
        var tcp = IPv4Builder()
        tcp.protocolNumber = 6
        tcp.payload = tcpSegment(flags: [.ack, .psh], options: [2, 4, 5, 0xb4, 1, 3, 3, 7], payload: Array(repeating: 9, count: 500))
        var bad = IPv4Builder()
        bad.checksumError = 1
        bad.payload = udpSegment()
        let frames = [udp.bytes(), tcp.bytes(), bad.bytes()].map { linkHeader(.ethernet) + $0 }

        // Packets over buffers that outlive the loop, so the loop itself needs no closures.
        let buffers = frames.map { frame -> UnsafeMutableRawBufferPointer in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 8)
            buffer.copyBytes(from: frame)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        let packets = buffers.map { buffer in
            CapturedPacket(sequence: 0, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0),
                           wireLength: UInt32(buffer.count), linkType: .ethernet, interfaceID: 0, streamOffset: 0,
                           bytes: UnsafeRawBufferPointer(buffer))
        }

        let decoder = PacketDecoder()
        var sink: UInt64 = 0
        func one(_ packet: CapturedPacket) {
            switch decoder.decode(packet) {
            case .datagram(let d):
                if d.verifyTransportChecksum() == .valid { sink &+= 1 }
                if let key = FlowKey(d) { sink &+= key.dispatchHash }
                if let t = d.tcp, case .parsed(let o) = t.parseOptions() { sink &+= UInt64(o.windowScale ?? 0) }
                if let u = d.udp { sink &+= UInt64(u.lengthField) }
            case .weird(let w):
                sink &+= UInt64(w.name.rawValue.utf8.count)
            default:
                break
            }
        }
        // No `for packet in packets`: in debug builds the unspecialized array iterator
        // boxes each element, which would be the harness allocating, not the decoder.
        let (udpPacket, tcpPacket, badPacket) = (packets[0], packets[1], packets[2])
        func run(_ rounds: Int) -> Int {
            rr_allocation_count_begin()
            for _ in 0 ..< rounds {
                one(udpPacket)
                one(tcpPacket)
                one(badPacket)
            }
            return rr_allocation_count_end()
        }
        // Warm-up: the weird list gets its capacity once, and the debug runtime fills
        // lazy witness tables for the harness code on the first runs.
        _ = run(1)
        _ = run(10)
        XCTAssertEqual(run(2000), 0)
        XCTAssertEqual(decoder.counters.datagrams, 2 * 2011)
        XCTAssertEqual(decoder.counters.badIPChecksum, 2011)
        XCTAssertNotEqual(sink, 0)
    }
}
