import CPcap
import CaptureIO
import CorpusSynth
import Foundation
import PacketDecoding
import XCTest

/// The file itself: determinism, size, share, readability, checksums.
final class CorpusSynthFileTests: XCTestCase {
    func testSameArgumentsGiveByteIdenticalFiles() throws {
        let scratch = SynthScratch()
        let (a, _) = try scratch.synth("a.pcap", bytes: 600_000, seed: 42)
        let (b, _) = try scratch.synth("b.pcap", bytes: 600_000, seed: 42)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a))
        let bytesB = try Data(contentsOf: URL(fileURLWithPath: b))
        XCTAssertGreaterThan(bytesA.count, 500_000)
        XCTAssertEqual(bytesA, bytesB)
    }

    func testDifferentSeedGivesDifferentFile() throws {
        let scratch = SynthScratch()
        let (a, _) = try scratch.synth("a.pcap", bytes: 300_000, seed: 1)
        let (b, _) = try scratch.synth("b.pcap", bytes: 300_000, seed: 2)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
    }

    func testSizeIsWithinOnePercentOfTarget() throws {
        let scratch = SynthScratch()
        for (index, target) in [UInt64(100_000), 1_000_000, 4_000_000].enumerated() {
            let (path, summary) = try scratch.synth("s\(index).pcap", bytes: target, seed: UInt64(index) + 9)
            let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).uint64Value
            XCTAssertEqual(size, summary.fileBytes)
            XCTAssertGreaterThanOrEqual(size, target)
            XCTAssertLessThan(Double(size), Double(target) * 1.01, "target \(target)")
        }
    }

    func testPort111ShareFollowsRPCShare() throws {
        let scratch = SynthScratch()
        for (index, share) in [0.02, 0.1, 0.5].enumerated() {
            let (path, summary) = try scratch.synth("r\(index).pcap", bytes: 3_000_000, seed: 77, rpcShare: share)
            let counted = try filteredFrameBytes(path, expression: "port 111")
            let measured = Double(counted.matched) / Double(counted.all)
            XCTAssertEqual(measured, share, accuracy: share * 0.15, "rpc-share \(share)")
            XCTAssertEqual(counted.matched, summary.rpcFrameBytes)
            XCTAssertEqual(counted.all, summary.frameBytes)
        }
        let (none, _) = try scratch.synth("none.pcap", bytes: 500_000, seed: 5, rpcShare: 0)
        XCTAssertEqual(try filteredFrameBytes(none, expression: "port 111").matched, 0)
    }

    func testLibpcapAndCaptureReaderReadEveryPacket() throws {
        let scratch = SynthScratch()
        let (path, summary) = try scratch.synth("r.pcap", bytes: 800_000, seed: 3)
        XCTAssertEqual(try filteredFrameBytes(path, expression: "").packets, summary.packets)

        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let handle = try XCTUnwrap(pcap_open_offline(path, &errorBuffer))
        defer { pcap_close(handle) }
        XCTAssertEqual(pcap_datalink(handle), DLT_EN10MB)
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var packets: UInt64 = 0
        var lastTime = 0.0
        while pcap_next_ex(handle, &header, &data) == 1 {
            let h = try XCTUnwrap(header).pointee
            XCTAssertEqual(h.caplen, h.len)
            let time = Double(h.ts.tv_sec) + Double(h.ts.tv_usec) / 1e6
            XCTAssertGreaterThanOrEqual(time, lastTime)
            lastTime = time
            packets += 1
        }
        XCTAssertEqual(packets, summary.packets)
    }

    /// Every transport checksum verifies except the ones the generator corrupted on purpose.
    func testChecksumsAreCorrectExceptTheCorruptedFew() throws {
        let scratch = SynthScratch()
        let (path, summary) = try scratch.synth("c.pcap", bytes: 2_000_000, seed: 11, rpcShare: 0.2)
        let reader = try CaptureReader(path: path)
        var bad: UInt64 = 0, checked: UInt64 = 0, ipv6 = 0, vlan = 0
        while let packet = try reader.next() {
            let result = try XCTUnwrap(verifyTransportChecksum(packet.bytes))
            checked += 1
            if !result.ok { bad += 1 }
            if result.ipv6 { ipv6 += 1 }
            if result.vlan { vlan += 1 }
        }
        XCTAssertEqual(bad, summary.badChecksums)
        XCTAssertGreaterThan(bad, 0)
        XCTAssertLessThan(Double(bad), Double(checked) * 0.01)
        XCTAssertGreaterThan(ipv6, 0)
        XCTAssertGreaterThan(vlan, 0)
    }

    /// Independent check of a frame: Ethernet/802.1Q, IPv4 (header checksum too) or IPv6, TCP/UDP sum.
    private func verifyTransportChecksum(_ frame: UnsafeRawBufferPointer) -> (ok: Bool, ipv6: Bool, vlan: Bool)? {
        func be16(_ o: Int) -> Int { Int(frame[o]) << 8 | Int(frame[o + 1]) }
        var l3 = 14
        var type = be16(12)
        let vlan = type == 0x8100
        if vlan { type = be16(16); l3 = 18 }
        var sum: UInt64
        let l4: Int, l4Length: Int, proto: Int
        if type == 0x0800 {
            let header = UnsafeRawBufferPointer(rebasing: frame[l3..<(l3 + 20)])
            guard InternetChecksum.verifies(InternetChecksum.add(header)) else { return (false, false, vlan) }
            proto = Int(frame[l3 + 9])
            l4 = l3 + 20
            l4Length = be16(l3 + 2) - 20
            sum = InternetChecksum.add(UnsafeRawBufferPointer(rebasing: frame[(l3 + 12)..<(l3 + 20)]))
        } else if type == 0x86DD {
            proto = Int(frame[l3 + 6])
            l4 = l3 + 40
            l4Length = be16(l3 + 4)
            sum = InternetChecksum.add(UnsafeRawBufferPointer(rebasing: frame[(l3 + 8)..<(l3 + 40)]))
        } else {
            return nil
        }
        guard l4 + l4Length == frame.count, proto == 6 || proto == 17 else { return nil }
        sum &+= UInt64(InternetChecksum.nativeWord(UInt16(proto))) &+ UInt64(InternetChecksum.nativeWord(UInt16(l4Length)))
        sum = InternetChecksum.add(UnsafeRawBufferPointer(rebasing: frame[l4...]), to: sum)
        return (InternetChecksum.verifies(sum), type == 0x86DD, vlan)
    }
}
