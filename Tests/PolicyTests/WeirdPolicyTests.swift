import PacketDecoding
import XCTest
@testable import Policy

final class WeirdPolicyTests: XCTestCase {
    let u = Fixture.udp()
    let t = Fixture.tcp()

    func testFileActionIsWrittenOncePerConnectionUntilRemoval() {
        let engine = PolicyEngine()
        XCTAssertEqual(engine.weird(at: 1, "unpaired_RPC_response", .connection(u)).weirdLines,
                       ["1.000000 10.0.0.1/1000 > 10.0.0.2/portmap: unpaired_RPC_response"])
        XCTAssertTrue(engine.weird(at: 2, "unpaired_RPC_response", .connection(u)).weirds.isEmpty)
        XCTAssertTrue(engine.weird(at: 2, "unpaired_RPC_response", .connection(u)).notices.isEmpty)
        engine.remove(at: 3, u)
        XCTAssertEqual(engine.weird(at: 4, "unpaired_RPC_response", .connection(u)).weirds.count, 1)
    }

    /// SEMANTICS-RPC §4.4: the ignore key is the printed id, shared by TCP and UDP
    /// connections with the same addresses and client port number.
    func testTCPAndUDPShareTheIgnoreEntry() {
        let engine = PolicyEngine()
        let tcp = Fixture.tcp(1000)
        engine.weird(at: 1, "unpaired_RPC_response", .connection(u))
        XCTAssertTrue(engine.weird(at: 2, "unpaired_RPC_response", .connection(tcp)).weirds.isEmpty)
        engine.remove(at: 3, tcp)
        XCTAssertEqual(engine.weird(at: 4, "unpaired_RPC_response", .connection(u)).weirds.count, 1)
    }

    /// Removing a connection with other addresses (or another port of the same pair)
    /// leaves the entry; removing the keyed connection forgets it.
    func testOnlyTheKeyedConnectionsRemovalForgetsTheIgnoreEntry() {
        let engine = PolicyEngine()
        engine.weird(at: 1, "unpaired_RPC_response", .connection(u))
        engine.remove(at: 2, Fixture.udp(1000, server: Fixture.otherServer))
        engine.remove(at: 2, Fixture.udp(1001))
        XCTAssertTrue(engine.weird(at: 3, "unpaired_RPC_response", .connection(u)).weirds.isEmpty)
        engine.remove(at: 4, u)
        XCTAssertEqual(engine.weird(at: 5, "unpaired_RPC_response", .connection(u)).weirds.count, 1)
    }

    func testChecksumWeirdsAreNeverDeduplicated() {
        let engine = PolicyEngine()
        for time in 1...3 {
            XCTAssertEqual(engine.weird(at: Double(time), "bad_UDP_checksum", .connection(u)).weirds.count, 1)
        }
    }

    /// Quirk 14: names outside weird_action get `** `, NOTICE_ALWAYS and never suppression.
    func testUnknownNamesGetStarsAndANoticeEveryTime() {
        let engine = PolicyEngine()
        let name = "bad_RPC: binpac exception: out_of_bound: RPC_Opaque:length: 4 > 3"
        for time in 1...3 {
            let out = engine.weird(at: Double(time), name, .connection(u))
            XCTAssertEqual(out.weirdLines, ["\(time).000000 ** 10.0.0.1/1000 > 10.0.0.2/portmap: \(name)"])
            XCTAssertEqual(out.noticeMessages, ["** 10.0.0.1/1000 > 10.0.0.2/portmap: \(name)"])
            XCTAssertEqual(out.tags, ["1"], "one tag per connection")
        }
        XCTAssertEqual(engine.addl(u), "@1")
    }

    /// Quirk 22: NOTICE_PER_ORIG → notice, then a silent line, then ignored per connection;
    /// another connection of the same originator gets one silent line.
    func testPerOriginatorNotice() {
        let engine = PolicyEngine()
        XCTAssertEqual(engine.weird(at: 1, "excess_RPC", .connection(t)).notices.count, 1)
        let second = engine.weird(at: 2, "excess_RPC", .connection(t))
        XCTAssertEqual(second.weirds.count, 1)
        XCTAssertTrue(second.notices.isEmpty)
        XCTAssertTrue(engine.weird(at: 3, "excess_RPC", .connection(t)).weirds.isEmpty)
        let other = Fixture.tcp(2001)
        XCTAssertEqual(engine.weird(at: 4, "excess_RPC", .connection(other)).weirds.count, 1)
        XCTAssertTrue(engine.weird(at: 5, "excess_RPC", .connection(other)).weirds.isEmpty)
        let otherOriginator = Fixture.tcp(2002, client: IPv4Address(10, 0, 0, 7))
        XCTAssertEqual(engine.weird(at: 6, "excess_RPC", .connection(otherOriginator)).notices.count, 1)
    }

    func testPerConnectionAndOnceNotices() {
        let engine = PolicyEngine()
        XCTAssertEqual(engine.weird(at: 1, "simultaneous_open", .connection(t)).notices.count, 1)
        XCTAssertTrue(engine.weird(at: 2, "simultaneous_open", .connection(t)).notices.isEmpty)
        XCTAssertEqual(engine.weird(at: 3, "simultaneous_open", .connection(Fixture.tcp(2001))).notices.count, 1)
        XCTAssertEqual(engine.weird(at: 4, "non_IPv4_packet", .connection(t)).notices.count, 1)
        XCTAssertTrue(engine.weird(at: 5, "non_IPv4_packet", .connection(Fixture.tcp(2005))).notices.isEmpty)
    }

    func testIgnoreActionProducesNothing() {
        let engine = PolicyEngine()
        let out = engine.weird(at: 1, "spontaneous_FIN", .connection(t))
        XCTAssertTrue(out.isEmpty)
    }

    /// Net weirds: empty id (`T : NAME`), no bookkeeping, never ignored.
    func testNetWeirdFormat() {
        let engine = PolicyEngine()
        for time in 1...2 {
            XCTAssertEqual(engine.weird(at: Double(time), "truncated_IP", .net).weirdLines, ["\(time).000000 : truncated_IP"])
        }
        let noticed = engine.weird(at: 3, "non_IPv4_packet", .net)
        XCTAssertEqual(noticed.weirdLines, ["3.000000 : non_IPv4_packet"])
        XCTAssertEqual(noticed.notices.count, 1)
        XCTAssertEqual(engine.weird(at: 4, "non_IPv4_packet", .net).notices.count, 1, "net weirds skip the once bookkeeping")
        XCTAssertEqual(engine.weird(at: 5, "made_up", .net).weirdLines, ["5.000000 ** : made_up"])
    }

    /// Flow weirds: `SRC -> DST` id, notice without connection fields, PER_ORIG bookkeeping.
    func testFlowWeirdFormat() {
        let engine = PolicyEngine()
        let scope = WeirdScope.flow(source: IPv4Address(172, 20, 19, 7), destination: IPv4Address(172, 16, 9, 4))
        let out = engine.weird(at: 1, "excessively_small_fragment", scope)
        XCTAssertEqual(out.weirdLines, ["1.000000 172.20.19.7 -> 172.16.9.4: excessively_small_fragment"])
        XCTAssertEqual(out.notices.map(ReferenceLogLines.notice),
                       ["1.000000:WeirdActivity:NOTICE_ALARM_ALWAYS:::::::::::172.20.19.7 -> 172.16.9.4\\: excessively_small_fragment::@1"])
        XCTAssertEqual(engine.weird(at: 2, "excessively_small_fragment", scope).notices.count, 0)
        XCTAssertEqual(engine.weird(at: 3, "excessively_small_fragment", scope).weirds.count, 0, "then ignored by id")
    }

    func testWeirdIgnoreHostDropsTheWeird() {
        var configuration = PolicyConfiguration()
        configuration.weirdIgnoreHost = [AddressName(Fixture.server, "excess_RPC")]
        let engine = PolicyEngine(configuration: configuration)
        XCTAssertTrue(engine.weird(at: 1, "excess_RPC", .connection(t)).isEmpty)
        XCTAssertEqual(engine.weird(at: 2, "partial_RPC", .connection(t)).weirds.count, 1)
    }

    func testActionOverrideChangesTheLine() {
        var configuration = PolicyConfiguration()
        configuration.weirdAction["unpaired_RPC_response"] = .noticeAlways
        configuration.weirdAction["bad_UDP_checksum"] = nil
        let engine = PolicyEngine(configuration: configuration)
        XCTAssertEqual(engine.weird(at: 1, "unpaired_RPC_response", .connection(u)).notices.count, 1)
        XCTAssertEqual(engine.weird(at: 2, "unpaired_RPC_response", .connection(u)).notices.count, 1)
        XCTAssertEqual(engine.weird(at: 3, "bad_UDP_checksum", .connection(u)).weirdLines,
                       ["3.000000 ** 10.0.0.1/1000 > 10.0.0.2/portmap: bad_UDP_checksum"])
    }

    /// portmapper.bro's filter: RPC weirds from RPC_okay_nets are file-only.
    func testRPCOkayNetsFilterMakesRPCWeirdsFileOnly() {
        var configuration = PolicyConfiguration()
        configuration.rpcOkayNets = [Subnet(parsing: "10.0.0.0/8")!]
        let engine = PolicyEngine(configuration: configuration)
        let out = engine.weird(at: 1, "bad_RPC", .connection(t))
        XCTAssertEqual(out.weirds.count, 1)
        XCTAssertTrue(out.notices.isEmpty)
        XCTAssertEqual(engine.weird(at: 2, "bad_pm_port", addl: "port 70000", .connection(t)).notices.count, 1,
                       "bad_pm_port has no filter")
        var custom = PolicyConfiguration()
        custom.weirdActionFilters["unpaired_RPC_response"] = .originatorIn([Subnet(parsing: "10.0.0.1")!], action: .ignore)
        XCTAssertTrue(PolicyEngine(configuration: custom).weird(at: 1, "unpaired_RPC_response", .connection(u)).isEmpty)
    }

    /// weird_ignore entries expire 10 min after *creation* (adding names does not refresh),
    /// checked by the sweep every 10 s of network time.
    func testWeirdIgnoreWriteExpiry() {
        let engine = PolicyEngine()
        XCTAssertEqual(engine.weird(at: 1000, "unpaired_RPC_response", .connection(u)).weirds.count, 1)
        XCTAssertEqual(engine.weird(at: 1500, "RPC_underflow", .connection(u)).weirds.count, 1)
        XCTAssertTrue(engine.weird(at: 1599, "unpaired_RPC_response", .connection(u)).weirds.isEmpty)
        // 1600.5 is past creation + 600, but the next sweep is only due at 1609.
        XCTAssertTrue(engine.weird(at: 1600.5, "RPC_underflow", .connection(u)).weirds.isEmpty)
        engine.process([.networkTime(1609.5)])
        XCTAssertEqual(engine.weird(at: 1609.6, "RPC_underflow", .connection(u)).weirds.count, 1,
                       "the whole entry went, including the name added later")
        XCTAssertEqual(engine.weird(at: 1609.7, "unpaired_RPC_response", .connection(u)).weirds.count, 1)
    }

    func testDoNotIgnoreRepeatsIsConfigurable() {
        var configuration = PolicyConfiguration()
        configuration.weirdDoNotIgnoreRepeats.insert("unpaired_RPC_response")
        let engine = PolicyEngine(configuration: configuration)
        XCTAssertEqual(engine.weird(at: 1, "unpaired_RPC_response", .connection(u)).weirds.count, 1)
        XCTAssertEqual(engine.weird(at: 2, "unpaired_RPC_response", .connection(u)).weirds.count, 1)
    }

    func testDefaultWeirdActionTableCoversBothSpecs() {
        let table = DefaultWeirdActions.table
        let file = ["bad_TCP_checksum", "bad_UDP_checksum", "bad_ICMP_checksum", "bad_IP_checksum", "bad_TCP_header_len",
                    "truncated_IP", "truncated_header", "data_before_established", "possible_split_routing",
                    "SYN_with_data", "RST_with_data", "window_recision", "above_hole_data_without_any_acks",
                    "active_connection_reuse", "bad_SYN_ack", "baroque_SYN", "SYN_inside_connection", "SYN_seq_jump",
                    "SYN_after_close", "SYN_after_reset", "TCP_christmas", "connection_originator_SYN_ack",
                    "repeated_SYN_with_ack", "repeated_SYN_reply_wo_ack", "inappropriate_FIN", "FIN_advanced_last_seq",
                    "data_after_reset", "premature_connection_reuse", "pending_data_when_closed",
                    "excessive_data_without_further_acks", "corrupt_tcp_options", "fragment_with_DF",
                    "partial_RPC_request", "RPC_rexmit_inconsistency", "RPC_underflow", "unpaired_RPC_response",
                    "bad_RPC_program"]
        for name in file { XCTAssertEqual(table[name], .file, name) }
        for name in ["spontaneous_FIN", "spontaneous_RST", "FIN_after_reset", "unsolicited_SYN_response"] {
            XCTAssertEqual(table[name], .ignore, name)
        }
        for name in ["bad_RPC", "partial_RPC", "excess_RPC", "excessive_RPC_len", "responder_RPC_call",
                     "originator_RPC_reply", "successful_RPC_reply_to_invalid_request", "bad_pm_port",
                     "multiple_RPCs", "SYN_after_partial", "Land_attack", "excessively_small_fragment",
                     "UDP_datagram_length_mismatch"] {
            XCTAssertEqual(table[name], .noticePerOriginator, name)
        }
        XCTAssertEqual(table["simultaneous_open"], .noticePerConnection)
        for name in ["RST_storm", "FIN_storm", "internally_truncated_header", "fragment_inconsistency", "fragment_overlap",
                     "fragment_protocol_inconsistency", "fragment_size_inconsistency", "incompletely_captured_fragment",
                     "excessively_large_fragment"] {
            XCTAssertEqual(table[name], .noticeAlways, name)
        }
        XCTAssertEqual(table["non_IPv4_packet"], .noticeOnce)
        XCTAssertNil(table["UDP_datagram_length_mismatch(40!=36)"])
    }
}
