import CaptureIO
import XCTest
@testable import PacketDecoding

/// §1.5 fragments: every flow weird, reassembly, overlaps, incomplete captures, caps.
final class FragmentTests: XCTestCase {
    /// A UDP datagram to 111 with `size` payload bytes, as transport bytes.
    private func datagram(_ size: Int, fill: UInt8 = 0x30) -> [UInt8] {
        udpSegment(sourcePort: 800, destinationPort: 111, payload: (0 ..< size).map { fill &+ UInt8($0 % 200) })
    }

    /// One fragment carrying `data` at byte `offset` of the datagram.
    private func fragment(_ data: ArraySlice<UInt8>, offset: Int, more: Bool, df: Bool = false,
                          id: UInt16 = 7, configure: (inout IPv4Builder) -> Void = { _ in }) -> [UInt8] {
        var ip = IPv4Builder()
        ip.identification = id
        ip.fragmentField = UInt16(offset / 8) | (more ? 0x2000 : 0) | (df ? 0x4000 : 0)
        ip.payload = Array(data)
        configure(&ip)
        return ip.bytes()
    }

    private func w(_ name: PacketWeirdName) -> PacketWeird { PacketWeird(name, flow12) }

    func testTwoFragmentsInOrderReassemble() {
        let decoder = PacketDecoder()
        let whole = datagram(192)  // 200 transport bytes
        XCTAssertEqual(decoder.run(ip: fragment(whole[0 ..< 96], offset: 0, more: true)).kind, .fragmentHeld)
        XCTAssertEqual(decoder.reassembler.count, 1)
        let outcome = decoder.run(ip: fragment(whole[96...], offset: 96, more: false))
        XCTAssertEqual(outcome.kind, .datagram(transport: .udp, length: 200, captured: 200, payload: whole, reassembled: true))
        XCTAssertEqual(outcome.weirds, [])
        XCTAssertEqual(decoder.reassembler.count, 0)
        XCTAssertEqual(decoder.reassembler.counters.heldBytes, 0)
        XCTAssertEqual(decoder.counters.reassembledDatagrams, 1)
        XCTAssertEqual(decoder.counters.fragmentsHeld, 1)
    }

    func testOutOfOrderFragmentsUseTheFirstSeenHeader() throws {
        let decoder = PacketDecoder()
        let whole = datagram(232)
        let last = fragment(whole[160...], offset: 160, more: false) { $0.timeToLive = 9 }
        XCTAssertEqual(decoder.run(ip: last).kind, .fragmentHeld)
        XCTAssertEqual(decoder.run(ip: fragment(whole[80 ..< 160], offset: 80, more: true)).kind, .fragmentHeld)
        let first = linkHeader(.ethernet) + fragment(whole[0 ..< 80], offset: 0, more: true) { $0.timeToLive = 200 }
        try withPacket(first) { packet in
            guard case .datagram(let d) = decoder.decode(packet) else { return XCTFail() }
            XCTAssertEqual(d.timeToLive, 9)  // the header of the first fragment *seen*
            XCTAssertEqual(d.totalLength, 260)  // ip_len rewritten
            XCTAssertEqual(d.fragmentField, 160 / 8)  // the rest of that header is kept as is
            XCTAssertEqual(Array(d.payload), whole)
            XCTAssertEqual(d.verifyTransportChecksum(), .valid)
            let udp = try XCTUnwrap(d.udp)
            XCTAssertEqual(udp.destinationPort, 111)
        }
    }

    func testFragmentWithDF() {
        let decoder = PacketDecoder()
        let whole = datagram(100)
        let outcome = decoder.run(ip: fragment(whole[0 ..< 64], offset: 0, more: true, df: true))
        XCTAssertEqual(outcome.kind, .fragmentHeld)
        XCTAssertEqual(outcome.weirds, [w(.fragmentWithDF)])
    }

    func testProtocolOrHeaderLengthInconsistency() {
        let decoder = PacketDecoder()
        let whole = datagram(200)
        _ = decoder.run(ip: fragment(whole[0 ..< 80], offset: 0, more: true))
        let tcpClaim = decoder.run(ip: fragment(whole[80 ..< 160], offset: 80, more: true) { $0.protocolNumber = 6 })
        XCTAssertEqual(tcpClaim.weirds, [w(.fragmentProtocolInconsistency)])
        let options = decoder.run(ip: fragment(whole[160...], offset: 160, more: false) { $0.options = [1, 1, 1, 1] })
        // IHL differs: weird, and its data is taken from the *first* header length on,
        // so the datagram is rebuilt with 4 option bytes as data and a bigger end.
        XCTAssertEqual(options.weirds.first, w(.fragmentProtocolInconsistency))
        guard case .datagram(_, let len, _, let payload, _) = options.kind else { return XCTFail("\(options)") }
        XCTAssertEqual(len, whole.count + 4)
        XCTAssertEqual(Array(payload[160 ..< 164]), [1, 1, 1, 1])
    }

    func testTheCompletingFragmentsProtocolDecidesTheTransport() {
        // The reference reads the protocol before reassembly and keeps using it.
        let decoder = PacketDecoder()
        let whole = datagram(200) + [UInt8](repeating: 0, count: 8)
        _ = decoder.run(ip: fragment(whole[0 ..< 104], offset: 0, more: true))
        let outcome = decoder.run(ip: fragment(whole[104...], offset: 104, more: false) { $0.protocolNumber = 6 })
        XCTAssertEqual(outcome.weirds, [w(.fragmentProtocolInconsistency)])
        guard case .datagram(.tcp, 216, _, _, true) = outcome.kind else { return XCTFail("\(outcome)") }
    }

    func testExcessivelySmallNonLastFragment() {
        let decoder = PacketDecoder()
        let whole = datagram(100)
        // ip_len 20 + 40 = 60 < 64, more fragments follow.
        XCTAssertEqual(decoder.run(ip: fragment(whole[0 ..< 40], offset: 0, more: true)).weirds,
                       [w(.excessivelySmallFragment)])
        // A small *last* fragment is normal.
        XCTAssertEqual(decoder.run(ip: fragment(whole[40 ..< 48], offset: 40, more: true)).weirds,
                       [w(.excessivelySmallFragment)])
        let last = decoder.run(ip: fragment(whole[48...], offset: 48, more: false))
        XCTAssertEqual(last.weirds, [])
        guard case .datagram(_, 108, _, let payload, true) = last.kind else { return XCTFail("\(last)") }
        XCTAssertEqual(payload, whole)
    }

    func testExcessivelyLargeFragment() {
        let decoder = PacketDecoder()
        let data = [UInt8](repeating: 1, count: 200)
        let outcome = decoder.run(ip: fragment(data[...], offset: 63_840, more: false))
        XCTAssertEqual(outcome.weirds, [w(.excessivelyLargeFragment)])
        XCTAssertEqual(outcome.kind, .fragmentHeld)
    }

    func testSizeInconsistencies() {
        let decoder = PacketDecoder()
        let whole = datagram(300)
        _ = decoder.run(ip: fragment(whole[200 ..< 240], offset: 200, more: false))
        // A second "last" fragment with another end.
        XCTAssertEqual(decoder.run(ip: fragment(whole[240 ..< 280], offset: 240, more: false)).weirds,
                       [w(.fragmentSizeInconsistency)])
        // A non-last fragment reaching past the known end.
        XCTAssertEqual(decoder.run(ip: fragment(whole[280 ..< 296], offset: 280, more: true)).weirds,
                       [w(.excessivelySmallFragment), w(.fragmentSizeInconsistency)])
        // Completing [0, 296): contiguous up to the (raised) announced end.
        let done = decoder.run(ip: fragment(whole[0 ..< 200], offset: 0, more: true))
        XCTAssertEqual(done.weirds, [])
        guard case .datagram(_, 296, _, let payload, true) = done.kind else { return XCTFail("\(done)") }
        XCTAssertEqual(payload, Array(whole[0 ..< 296]))
    }

    func testContiguousDataBeyondTheAnnouncedEndIsTakenWithASizeWeird() {
        let decoder = PacketDecoder()
        let whole = datagram(200)
        // Non-last fragment [0,128) first, then a last fragment claiming the end is 64:
        // the data reaches past it, so the reference weirds and extends the size.
        _ = decoder.run(ip: fragment(whole[0 ..< 128], offset: 0, more: true))
        let outcome = decoder.run(ip: fragment(whole[32 ..< 64], offset: 32, more: false))
        XCTAssertEqual(outcome.weirds, [w(.fragmentOverlap), w(.fragmentSizeInconsistency)])
        guard case .datagram(_, 128, _, _, true) = outcome.kind else { return XCTFail("\(outcome)") }
    }

    func testStuckAboveAHoleTakesTheContiguousPart() {
        let decoder = PacketDecoder()
        let whole = datagram(300)
        _ = decoder.run(ip: fragment(whole[200 ..< 240], offset: 200, more: true))
        _ = decoder.run(ip: fragment(whole[0 ..< 64], offset: 0, more: true))
        // Announces end 128; [0,128) is then contiguous, [200,240) sits above a hole.
        let outcome = decoder.run(ip: fragment(whole[64 ..< 128], offset: 64, more: false))
        XCTAssertEqual(outcome.weirds, [w(.fragmentSizeInconsistency)])
        guard case .datagram(_, 128, _, let payload, true) = outcome.kind else { return XCTFail("\(outcome)") }
        XCTAssertEqual(payload, Array(whole[0 ..< 128]))
        XCTAssertEqual(decoder.reassembler.count, 0)
    }

    func testOverlapWithSameBytesAndWithDifferentBytes() {
        let decoder = PacketDecoder()
        let whole = datagram(200)
        _ = decoder.run(ip: fragment(whole[0 ..< 96], offset: 0, more: true))
        XCTAssertEqual(decoder.run(ip: fragment(whole[64 ..< 128], offset: 64, more: true)).weirds,
                       [w(.fragmentOverlap)])
        var changed = Array(whole[120 ..< 136])
        changed[0] ^= 0xff  // byte 120 differs from what is held
        let outcome = decoder.run(ip: fragment(changed[...], offset: 120, more: true) { _ in })
        XCTAssertEqual(outcome.weirds, [w(.excessivelySmallFragment), w(.fragmentInconsistency)])
        let done = decoder.run(ip: fragment(whole[136...], offset: 136, more: false))
        guard case .datagram(_, _, _, let payload, true) = done.kind else { return XCTFail("\(done)") }
        XCTAssertEqual(payload, whole, "held bytes win over the inconsistent retransmission")
    }

    func testOneFragmentOverlappingTwoHeldBlocksRaisesTwoWeirds() {
        let decoder = PacketDecoder()
        let whole = datagram(300)
        _ = decoder.run(ip: fragment(whole[0 ..< 80], offset: 0, more: true))
        _ = decoder.run(ip: fragment(whole[160 ..< 240], offset: 160, more: true))
        // Covers [40, 200): overlaps both blocks and fills the hole between them.
        XCTAssertEqual(decoder.run(ip: fragment(whole[40 ..< 200], offset: 40, more: true)).weirds,
                       [w(.fragmentOverlap), w(.fragmentOverlap)])
        let done = decoder.run(ip: fragment(whole[240...], offset: 240, more: false))
        guard case .datagram(_, _, _, let payload, true) = done.kind else { return XCTFail("\(done)") }
        XCTAssertEqual(payload, whole)
    }

    func testIncompletelyCapturedFirstFragmentContinuesUnreassembled() {
        let decoder = PacketDecoder()
        let whole = datagram(200)
        let first = fragment(whole[0 ..< 104], offset: 0, more: true)
        let outcome = decoder.run(ip: Array(first.prefix(60)), wireLength: first.count)
        XCTAssertEqual(outcome.weirds, [w(.incompletelyCapturedFragment)])
        guard case .datagram(.udp, 104, 40, let payload, false) = outcome.kind else { return XCTFail("\(outcome)") }
        XCTAssertEqual(payload, Array(whole[0 ..< 40]))
        XCTAssertEqual(decoder.reassembler.counters.fragments, 0)
        XCTAssertEqual(decoder.counters.incompleteFirstFragments, 1)
    }

    func testIncompletelyCapturedLaterFragmentIsDropped() {
        let decoder = PacketDecoder()
        let whole = datagram(200)
        let later = fragment(whole[104...], offset: 104, more: false)
        let outcome = decoder.run(ip: Array(later.prefix(40)), wireLength: later.count)
        XCTAssertEqual(outcome.kind, .weird(w(.incompletelyCapturedFragment)))
        XCTAssertEqual(outcome.weirds, [w(.incompletelyCapturedFragment)])
        XCTAssertEqual(decoder.counters.incompleteLaterFragments, 1)
    }

    func testEmptyLastFragmentAnnouncesTheEndWithoutCompleting() {
        let decoder = PacketDecoder()
        let head: [UInt8] = [3, 32, 0, 111, 0, 8, 0, 0]
        _ = decoder.run(ip: fragment(head[...], offset: 0, more: true))
        // No data: the reference's NewBlock returns before its completeness test.
        XCTAssertEqual(decoder.run(ip: fragment([], offset: 8, more: false)).kind, .fragmentHeld)
        XCTAssertEqual(decoder.reassembler.counters.emptyFragments, 1)
        XCTAssertEqual(decoder.reassembler.count, 1)
        // The end (8) is known now, so a retransmitted first fragment completes it.
        let outcome = decoder.run(ip: fragment(head[...], offset: 0, more: true))
        XCTAssertEqual(outcome.weirds, [w(.excessivelySmallFragment), w(.fragmentOverlap)])
        guard case .datagram(.udp, 8, 8, let payload, true) = outcome.kind else { return XCTFail("\(outcome)") }
        XCTAssertEqual(payload, head)
    }

    func testShortReassembledDatagramIsTruncatedHeaderAndForgotten() {
        let decoder = PacketDecoder()
        _ = decoder.run(ip: fragment([0, 1, 0, 111, 0, 0, 0, 0], offset: 0, more: true) { $0.protocolNumber = 6 })
        let done = decoder.run(ip: fragment([0, 0, 0, 0, 0, 0, 0, 0], offset: 8, more: false) { $0.protocolNumber = 6 })
        // 16 bytes of TCP: shorter than a TCP header.
        XCTAssertEqual(done.kind, .weird(PacketWeird(.truncatedHeader, net)))
        XCTAssertEqual(done.weirds, [PacketWeird(.truncatedHeader, net)])
        XCTAssertEqual(decoder.reassembler.count, 0)
        XCTAssertEqual(decoder.counters.reassembledDatagrams, 1)
    }

    func testReassemblyCountCapEvictsTheOldest() {
        let limits = FragmentLimits(maxReassemblies: 2, maxHeldBytes: 1 << 20)
        let decoder = PacketDecoder(configuration: DecoderConfiguration(fragmentLimits: limits))
        let whole = datagram(200)
        for id: UInt16 in 1 ... 3 {
            XCTAssertEqual(decoder.run(ip: fragment(whole[0 ..< 104], offset: 0, more: true, id: id)).kind, .fragmentHeld)
        }
        XCTAssertEqual(decoder.reassembler.count, 2)
        XCTAssertEqual(decoder.reassembler.counters.evictedReassemblies, 1)
        // id 1 was evicted: its tail starts a new reassembly instead of completing.
        XCTAssertEqual(decoder.run(ip: fragment(whole[104...], offset: 104, more: false, id: 1)).kind, .fragmentHeld)
        // id 3 survived (and id 2 is evicted to make room for the new id 1).
        guard case .datagram(_, 208, _, _, true) = decoder.run(ip: fragment(whole[104...], offset: 104, more: false, id: 3)).kind
        else { return XCTFail() }
        XCTAssertEqual(decoder.reassembler.counters.evictedReassemblies, 2)
    }

    func testHeldByteCapEvictsOldestAndRefusesWhatCannotFit() {
        let limits = FragmentLimits(maxReassemblies: 100, maxHeldBytes: 300)
        let decoder = PacketDecoder(configuration: DecoderConfiguration(fragmentLimits: limits))
        let whole = datagram(400)
        _ = decoder.run(ip: fragment(whole[0 ..< 120], offset: 0, more: true, id: 1))
        _ = decoder.run(ip: fragment(whole[0 ..< 120], offset: 0, more: true, id: 2))
        XCTAssertEqual(decoder.reassembler.counters.heldBytes, 280)
        _ = decoder.run(ip: fragment(whole[0 ..< 120], offset: 0, more: true, id: 3))
        XCTAssertEqual(decoder.reassembler.counters.evictedReassemblies, 1)
        XCTAssertLessThanOrEqual(decoder.reassembler.counters.heldBytes, 300)
        // A fragment bigger than the whole budget is refused, never stored.
        _ = decoder.run(ip: fragment(whole[0 ..< 400], offset: 0, more: true, id: 9))
        XCTAssertEqual(decoder.reassembler.counters.refusedFragments, 1)
        XCTAssertLessThanOrEqual(decoder.reassembler.counters.peakHeldBytes, 300)
    }

    func testManyFirstFragmentsStayBounded() {
        // Under `port 111` only first fragments arrive and never complete: the reference
        // keeps them forever; here the cap holds memory flat.
        let limits = FragmentLimits(maxReassemblies: 64, maxHeldBytes: 1 << 20)
        let decoder = PacketDecoder(configuration: DecoderConfiguration(fragmentLimits: limits))
        let whole = datagram(100)
        for id in 0 ..< 1000 {
            _ = decoder.run(ip: fragment(whole[0 ..< 64], offset: 0, more: true, id: UInt16(id)))
        }
        XCTAssertEqual(decoder.reassembler.count, 64)
        XCTAssertEqual(decoder.reassembler.counters.evictedReassemblies, 936)
        XCTAssertEqual(decoder.reassembler.counters.heldBytes, 64 * 84)
    }

    func testFragmentsOfDifferentDatagramsDoNotMix() {
        let decoder = PacketDecoder()
        let a = datagram(100, fill: 1), b = datagram(100, fill: 100)
        _ = decoder.run(ip: fragment(a[0 ..< 64], offset: 0, more: true, id: 1))
        _ = decoder.run(ip: fragment(b[0 ..< 64], offset: 0, more: true, id: 2))
        let doneB = decoder.run(ip: fragment(b[64...], offset: 64, more: false, id: 2))
        guard case .datagram(_, _, _, let payloadB, true) = doneB.kind else { return XCTFail() }
        XCTAssertEqual(payloadB, b)
        let doneA = decoder.run(ip: fragment(a[64...], offset: 64, more: false, id: 1))
        guard case .datagram(_, _, _, let payloadA, true) = doneA.kind else { return XCTFail() }
        XCTAssertEqual(payloadA, a)
    }
}
