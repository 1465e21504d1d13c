import CorpusSynth
import PacketDecodingAllocationCounter
import XCTest

/// The generator's loop allocates nothing per packet: a ten times larger file costs
/// no more heap allocations than a small one.
final class CorpusSynthAllocationTests: XCTestCase {
    private func allocations(bytes: UInt64, rpcShare: Double, in scratch: SynthScratch) throws -> Int {
        let synthesizer = try CorpusSynthesizer(
            path: scratch.path("alloc-\(bytes).pcap"),
            configuration: CorpusSynthConfiguration(targetBytes: bytes, seed: 8, rpcShare: rpcShare))
        rr_allocation_count_begin()
        let summary = try synthesizer.run()
        let count = rr_allocation_count_end()
        XCTAssertGreaterThan(summary.packets, 100)
        return count
    }

    func testRunDoesNotAllocatePerPacket() throws {
        let scratch = SynthScratch()
        for share in [0.0, 0.05] {
            // A first run pays one-time runtime initialisations (metadata, static tables).
            _ = try allocations(bytes: 200_000, rpcShare: share, in: scratch)
            let small = try allocations(bytes: 1_000_000, rpcShare: share, in: scratch)
            let large = try allocations(bytes: 10_000_000, rpcShare: share, in: scratch)
            if small < 0 { throw XCTSkip("allocation counter unavailable on this platform") }
            XCTAssertEqual(large, small, "rpc-share \(share)")
        }
    }
}
