import CPcap
import CaptureIO
import XCTest
@testable import PacketDecoding

/// Intake and checksum verdicts on the shared corpora, checked against what the
/// golden logs say the reference raised. Packets are filtered with libpcap's own
/// `port 111` program, as the reference's were.
final class CorpusTests: XCTestCase {
    private static let corpora = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora")

    private func tracePath(_ corpus: String) throws -> String {
        let path = Self.corpora.appendingPathComponent(corpus).appendingPathComponent("trace.pcap").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no plain pcap for \(corpus)") }
        return path
    }

    private func goldenLines(_ corpus: String, _ mode: String, _ file: String) throws -> [Substring] {
        let url = Self.corpora.appendingPathComponent(corpus).appendingPathComponent("golden")
            .appendingPathComponent(mode).appendingPathComponent(file)
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    }

    /// Calls `body` for every packet of `corpus` that passes `port 111`.
    private func forEachPacket(_ corpus: String, _ body: (CapturedPacket) throws -> Void) throws {
        let reader = try CaptureReader(path: try tracePath(corpus))
        let dead = try XCTUnwrap(pcap_open_dead(Int32(reader.linkTypes[0].rawValue), 262_144))
        defer { pcap_close(dead) }
        var program = bpf_program()
        XCTAssertEqual(pcap_compile(dead, &program, "port 111", 1, PCAP_NETMASK_UNKNOWN), 0)
        defer { pcap_freecode(&program) }
        while let packet = try reader.next() {
            let bytes = packet.bytes.bindMemory(to: UInt8.self)
            guard bpf_filter(program.bf_insns, bytes.baseAddress, packet.wireLength, packet.capturedLength) != 0 else { continue }
            try body(packet)
        }
    }

    private struct Tally {
        var badUDP = 0, badTCP = 0, goodUDP = 0, goodTCP = 0, notChecked = 0
        var weirds: [String] = []
    }

    /// Decodes `corpus` in default mode and tallies checksum verdicts. A TCP segment
    /// with SYN and without ACK is left out: the connection compressor holds it
    /// unverified (§1.4).
    private func tally(_ corpus: String) throws -> Tally {
        let decoder = PacketDecoder()
        var t = Tally()
        try forEachPacket(corpus) { packet in
            let result = decoder.decode(packet)
            t.weirds += decoder.weirds.map(\.description)
            guard case .datagram(let d) = result else { return }
            if let tcp = d.tcp, tcp.flags.contains(.syn) && !tcp.flags.contains(.ack) { return }
            switch (d.transport, d.verifyTransportChecksum()) {
            case (.udp, .invalid): t.badUDP += 1
            case (.udp, .valid): t.goodUDP += 1
            case (.tcp, .invalid): t.badTCP += 1
            case (.tcp, .valid): t.goodTCP += 1
            default: t.notChecked += 1
            }
        }
        return t
    }

    private func goldenCount(_ corpus: String, _ name: String) throws -> Int {
        try goldenLines(corpus, "default", "weird.log").filter { $0.hasSuffix(": " + name) }.count
    }

    func testLoopbackCapturesCarryOffloadedChecksumsOnEveryPacket() throws {
        for corpus in ["rpcbind-bad-ports", "rpcbind-v2-udp-dialogues", "rpcbind-v2-udp-errors",
                       "rpcbind-rpcinfo-client", "rpcbind-v2-tcp-framing", "rpcbind-v34-rpcbind"] {
            let t = try tally(corpus)
            XCTAssertEqual(t.goodUDP + t.goodTCP, 0, corpus)
            XCTAssertEqual(t.weirds, [], corpus)
            XCTAssertEqual(t.badUDP, try goldenCount(corpus, "bad_UDP_checksum"), corpus)
            XCTAssertEqual(t.badTCP, try goldenCount(corpus, "bad_TCP_checksum"), corpus)
            XCTAssertGreaterThan(t.badUDP + t.badTCP, 0, corpus)
        }
    }

    func testZeekTracesHaveValidChecksums() throws {
        for corpus in ["zeek-rpc-portmap-sadmind", "zeek-nfs-write"] {
            let t = try tally(corpus)
            XCTAssertEqual(t.weirds, [], corpus)  // no bad_IP_checksum either
            XCTAssertEqual(t.badUDP, try goldenCount(corpus, "bad_UDP_checksum"), corpus)
            XCTAssertEqual(t.badTCP, try goldenCount(corpus, "bad_TCP_checksum"), corpus)
            XCTAssertGreaterThan(t.goodUDP + t.goodTCP, 0, corpus)
        }
    }

    func testSynthNastyIntakeWeirdsMatchTheGoldenFlowAndNetWeirds() throws {
        // Fragments, IP options and snap-length cuts: the only intake weirds the
        // reference raised are the flow weirds of held first fragments.
        let t = try tally("synth-nasty")
        for mode in ["default", "nochecksum"] {
            let golden = try goldenLines("synth-nasty", mode, "events.txt").compactMap { line -> String? in
                let f = line.split(separator: " ")
                guard f.count == 6, f[1] == "flow_weird" || f[1] == "net_weird" else { return nil }
                return "\(f[2]) -> \(f[4]): \(f[5].dropFirst("name=".count))"
            }
            XCTAssertEqual(t.weirds.sorted(), golden.sorted(), mode)
            XCTAssertFalse(golden.isEmpty)
        }
        XCTAssertEqual(t.badUDP, try goldenCount("synth-nasty", "bad_UDP_checksum"))
    }

    func testEveryCorpusPacketDecodesWithoutSurprises() throws {
        // Whole traces, unfiltered, in both modes: nothing traps, every packet is counted
        // exactly once under one outcome.
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpora.path).sorted()
        var decoded = 0
        for corpus in names {
            guard let path = try? tracePath(corpus) else { continue }
            for verify in [true, false] {
                let decoder = PacketDecoder(configuration: DecoderConfiguration(verifyChecksums: verify))
                let reader = try CaptureReader(path: path)
                while let packet = try reader.next() {
                    if case .unknownLinkType = decoder.decode(packet) { XCTFail(corpus) }
                }
                let c = decoder.counters
                let outcomes = c.datagrams + c.truncatedIP + c.nonIPv4 + c.badIPChecksum + c.unsupportedProtocol
                    + c.fragmentsHeld + c.incompleteLaterFragments + c.truncatedHeader + c.internallyTruncatedHeader
                XCTAssertEqual(outcomes, c.packets, corpus)
                decoded += Int(c.packets)
            }
        }
        XCTAssertGreaterThan(decoded, 1000)
    }
}
