import CaptureIO
import Foundation
import XCTest

/// The native twin of `port N` (EthernetPortProgram) must give libpcap's
/// `bpf_filter` verdict on every packet: on every corpus and variant, on every
/// truncation of their packets, and on randomly mangled headers.
final class BPFFilterPortProgramTests: XCTestCase {
    /// Every capture under corpora/ (traces and all variants, damaged ones included).
    private static var files: [String] { CorpusFiles.all(damaged: true) }

    private func packet(_ bytes: UnsafeRawBufferPointer, linkType: LinkType = .ethernet) -> CapturedPacket {
        CapturedPacket(sequence: 0, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0),
                       wireLength: UInt32(bytes.count), linkType: linkType, interfaceID: 0, streamOffset: 0,
                       bytes: bytes)
    }

    /// Asserts native == libpcap for `bytes` and for every prefix of it up to 80 bytes.
    private func assertAgrees(_ filter: BPFFilter, _ bytes: UnsafeRawBufferPointer, _ what: @autoclosure () -> String,
                              checked: inout Int) {
        for length in 0 ... min(bytes.count, 80) {
            let cut = packet(UnsafeRawBufferPointer(rebasing: bytes[0 ..< length]))
            if filter.matches(cut) != filter.matchesWithLibpcap(cut) {
                XCTFail("\(what()): verdicts differ on the first \(length) bytes")
                return
            }
            checked += 1
        }
        let whole = packet(bytes)
        XCTAssertEqual(filter.matches(whole), filter.matchesWithLibpcap(whole), what())
        checked += 1
    }

    func testPortPrimitivesOnEthernetRunNatively() throws {
        XCTAssertTrue(try BPFFilter().usesNativeProgram(for: .ethernet))
        XCTAssertTrue(try BPFFilter(expression: "port 2049").usesNativeProgram(for: .ethernet))
        XCTAssertTrue(try BPFFilter(expression: "port 0").usesNativeProgram(for: .ethernet))
        XCTAssertTrue(try BPFFilter(expression: "port 65535").usesNativeProgram(for: .ethernet))
        // Anything else keeps libpcap's interpreter.
        for expression in ["", "tcp port 111", "udp port 111", "port 111 or port 2049", "src port 111",
                           "portrange 100-200", "host 10.0.0.1", "vlan and port 111"] {
            XCTAssertFalse(try BPFFilter(expression: expression).usesNativeProgram(for: .ethernet), expression)
        }
        let linuxCooked = try BPFFilter()
        XCTAssertFalse(linuxCooked.usesNativeProgram(for: .linuxSLL))
        XCTAssertFalse(linuxCooked.usesNativeProgram(for: .ipv4))
    }

    func testNativeVerdictEqualsLibpcapOnEveryCorpusPacketAndItsTruncations() throws {
        let files = Self.files
        XCTAssertGreaterThanOrEqual(files.count, 20, "corpora or variants missing")
        var packets = 0, checked = 0, accepted = 0
        for expression in ["port 111", "port 53"] {
            let filter = try BPFFilter(expression: expression)
            for file in files {
                let reader = try CaptureReader(path: file)
                while true {
                    let next: CapturedPacket?
                    do { next = try reader.next() } catch { break }  // damaged variants: up to the fault
                    guard let p = next else { break }
                    packets += 1
                    if p.linkType == .ethernet {
                        XCTAssertTrue(filter.usesNativeProgram(for: .ethernet))
                        if filter.matchesWithLibpcap(p) { accepted += 1 }
                        assertAgrees(filter, p.bytes, "\(expression): packet \(p.sequence) of \(file)", checked: &checked)
                    } else {
                        XCTAssertEqual(filter.matches(p), filter.matchesWithLibpcap(p))
                    }
                }
            }
        }
        XCTAssertGreaterThan(packets, 10_000)
        XCTAssertGreaterThan(accepted, 1_000, "the corpora must exercise the accepting paths")
        XCTAssertGreaterThan(checked, 100_000)
    }

    /// Headers the corpora lack: every IPv4 header length nibble (including the
    /// invalid 0..4 the interpreter still uses), fragment offsets, SCTP/ICMP,
    /// IPv6, VLAN tags, ports on either side, random bytes elsewhere.
    func testNativeVerdictEqualsLibpcapOnMangledHeaders() throws {
        let filter = try BPFFilter()
        var state: UInt64 = 0x5EED
        func random() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var bytes = [UInt8](repeating: 0, count: 96)
        var checked = 0, accepted = 0
        for round in 0 ..< 20_000 {
            for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: random()) }
            let etherTypes: [UInt16] = [0x0800, 0x86dd, 0x8100, 0x0806, UInt16(truncatingIfNeeded: random())]
            let etherType = etherTypes[Int(random() % 5)]
            bytes[12] = UInt8(etherType >> 8); bytes[13] = UInt8(etherType & 0xff)
            let protocols: [UInt8] = [6, 17, 0x84, 1, UInt8(truncatingIfNeeded: random())]
            let proto = protocols[Int(random() % 5)]
            bytes[20] = proto  // IPv6 next header
            bytes[23] = proto  // IPv4 protocol
            if etherType == 0x0800 && random() % 2 == 0 {
                bytes[20] &= 0xe0; bytes[21] = 0  // IPv4: no fragment offset (MF/DF random)
            }
            bytes[14] = 0x40 | UInt8(round % 16)  // every header-length nibble
            let headerLength = Int(round % 16) * 4
            for offset in [headerLength + 14, headerLength + 16, 54, 56] where offset + 2 <= bytes.count {
                if random() % 3 == 0 { bytes[offset] = 0; bytes[offset + 1] = 111 }
            }
            bytes.withUnsafeBytes { raw in
                if filter.matchesWithLibpcap(packet(raw)) { accepted += 1 }
                assertAgrees(filter, raw, "mangled packet \(round)", checked: &checked)
            }
        }
        XCTAssertGreaterThan(accepted, 1_000, "the mangling must exercise the accepting paths")
        XCTAssertGreaterThan(checked, 1_000_000)
    }
}
