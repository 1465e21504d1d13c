import PacketDecoding
import XCTest
@testable import Policy

final class PortmapperPolicyTests: XCTestCase {
    let c = Fixture.udp()

    func testSetAnnotatesNoticesAndTagsAfterTheText() {
        let engine = PolicyEngine()
        let out = engine.feed(at: 1, c, .requestSet(Fixture.mapping(100017, 0), success: true))
        XCTAssertEqual(out.noticeMessages, ["rpc: 10.0.0.1/1000 > 10.0.0.2/portmap pm_set: rexd 0 (ok)"])
        XCTAssertEqual(out.notices.first?.note, "SensitivePortmapperAccess")
        XCTAssertEqual(engine.addl(c), "rexd 0 (ok) @1")
        let failed = engine.feed(at: 2, Fixture.udp(1001), .requestUnset(Fixture.mapping(100005, 635), success: false))
        XCTAssertEqual(failed.noticeMessages, ["rpc: 10.0.0.1/1001 > 10.0.0.2/portmap pm_unset: mountd 635 (failed)"])
    }

    func testNullIsNeverNoticedButNamesTheService() {
        let engine = PolicyEngine()
        XCTAssertTrue(engine.feed(at: 1, c, .requestNull).notices.isEmpty)
        let line = engine.remove(at: 2, c)
        XCTAssertEqual(line.service, "pm_null")
        XCTAssertEqual(line.addl, "")
    }

    func testProgramNamesComeFromTheTableOrUnknown() {
        let engine = PolicyEngine()
        XCTAssertEqual(RPCPrograms.defaultTable.count, 129)
        XCTAssertEqual(engine.programName(100232), "sadmind")
        XCTAssertEqual(engine.programName(1342177279), "Solaris/CDE")
        XCTAssertEqual(engine.programName(391018), "unknown-391018")
        engine.feed(at: 1, c, Fixture.getport(391018, 0))
        XCTAssertEqual(engine.addl(c), "unknown-391018 -> 0/udp @1")
    }

    /// SEMANTICS-RPC §3.3: > 80 bytes (strict, before adding) → ` ...` once, text dropped.
    func testEightyByteRule() {
        let engine = PolicyEngine()
        // 79 bytes, then a text is still appended (golden udp-dialogues).
        engine.connections[c.id] = ConnectionRecord(
            addl: "walld 40800 (ok) @1, mountd 20048 (ok), walld -> 40800/udp, mountd -> 20048/tcp", services: [], hot: 0)
        XCTAssertEqual(engine.addl(c).utf8.count, 79)
        engine.feed(at: 1, c, Fixture.getport(100232, 0))
        XCTAssertTrue(engine.addl(c).hasSuffix(", sadmind -> 0/udp"))
        XCTAssertEqual(engine.addl(c).utf8.count, 97)
        engine.feed(at: 2, c, Fixture.getport(391002, 0))
        XCTAssertTrue(engine.addl(c).hasSuffix("sadmind -> 0/udp ..."))
        engine.feed(at: 3, c, Fixture.getport(100003, 2049))
        XCTAssertTrue(engine.addl(c).hasSuffix("sadmind -> 0/udp ..."), "the ellipsis is added once")
        // Exactly 80 bytes is not "more than 80".
        let d = Fixture.udp(1002)
        engine.connections[d.id] = ConnectionRecord(addl: String(repeating: "x", count: 80), services: [], hot: 0)
        engine.feed(at: 4, d, Fixture.getport(100003, 2049))
        XCTAssertTrue(engine.addl(d).hasSuffix(", nfs -> 2049/udp"))
        // Attempts are not subject to the rule (quirk 17).
        engine.feed(at: 5, c, .attemptNull(.timeout))
        XCTAssertTrue(engine.addl(c).hasSuffix("... (timeout)"))
    }

    /// Quirk 18: repeats and texts that merely are substrings are not appended.
    func testSubstringDedupe() {
        let engine = PolicyEngine()
        engine.feed(at: 1, c, .requestSet(Fixture.mapping(100005, 20048), success: true))
        engine.feed(at: 2, c, .requestSet(Fixture.mapping(100005, 20048), success: true))
        XCTAssertEqual(engine.addl(c), "mountd 20048 (ok) @1")
        engine.feed(at: 3, c, Fixture.getport(600100069, 7))  // fypxfrd
        engine.feed(at: 4, c, Fixture.getport(100069, 7))     // ypxfrd ⊂ fypxfrd text
        XCTAssertEqual(engine.addl(c), "mountd 20048 (ok) @1, fypxfrd -> 7/udp")
        XCTAssertTrue(Annotation.containsBytes("abc", ""))
        XCTAssertFalse(Annotation.containsBytes("ab", "abc"))
    }

    /// Quirk 19: did_pm_log is per (client, server, proc) for the whole run.
    func testDidPMLogOncePerClientServerProcedure() {
        let engine = PolicyEngine()
        XCTAssertEqual(engine.feed(at: 1, c, Fixture.getport(100232, 32773)).notices.count, 1)
        let second = Fixture.udp(1001)
        XCTAssertEqual(engine.feed(at: 2, second, Fixture.getport(100232, 32773)).notices.count, 0)
        XCTAssertEqual(engine.addl(second), "sadmind -> 32773/udp", "no tag without a notice")
        XCTAssertEqual(engine.feed(at: 3, Fixture.tcp(), Fixture.getport(100005, 1)).notices.count, 0,
                       "transport does not matter")
        let otherServer = Fixture.udp(1002, server: Fixture.otherServer)
        XCTAssertEqual(engine.feed(at: 4, otherServer, Fixture.getport(100232, 32773)).notices.count, 1)
        XCTAssertEqual(engine.feed(at: 5, c, .requestSet(Fixture.mapping(1, 1), success: true)).notices.count, 1,
                       "another procedure is another key")
    }

    /// Quirks 16 and 23: the dump notice shows `(done)`, its tag lands before the list,
    /// and the list feeds RPC_server_map for other connections' service column.
    func testDumpTextTagPositionAndServerMap() {
        let engine = PolicyEngine()
        let dump = PortmapperEvent.requestDump([
            Fixture.mapping(100000, 111, .tcp, version: 4), Fixture.mapping(100000, 111, .tcp, version: 3),
            Fixture.mapping(100000, 111, .udp, version: 4), Fixture.mapping(100017, 4464),
        ])
        let out = engine.feed(at: 1, c, dump)
        XCTAssertEqual(out.noticeMessages, ["rpc: 10.0.0.1/1000 > 10.0.0.2/portmap pm_dump: (done)"])
        XCTAssertEqual(engine.addl(c), "(done) @1 <portmapper -> 111/tcp, portmapper -> 111/udp, rexd -> 4464/udp>")
        XCTAssertEqual(engine.remove(at: 2, c).service, "pm_dump")
        // A TCP connection to the same server without portmap events logs the map's name.
        let silent = Fixture.tcp()
        engine.weird(at: 3, "excess_RPC", .connection(silent))
        let line = engine.remove(at: 4, silent)
        XCTAssertEqual(line.service, "portmapper")
        XCTAssertEqual(line.addl, "@2")
        // Unknown server/port → port name.
        XCTAssertEqual(engine.remove(at: 5, Fixture.udp(9, server: Fixture.otherServer)).service, "portmap")
    }

    /// Quirk 20: empty dump → `(nil)` and `<>`.
    func testEmptyDump() {
        let engine = PolicyEngine()
        engine.feed(at: 1, c, .requestDump([]))
        XCTAssertEqual(engine.addl(c), "(nil) @1 <>")
    }

    func testRPCDumpOkaySilencesTheDumpNotice() {
        var configuration = PolicyConfiguration()
        configuration.rpcDumpOkay = [AddressPair(Fixture.client, Fixture.server)]
        let engine = PolicyEngine(configuration: configuration)
        XCTAssertTrue(engine.feed(at: 1, c, .requestDump([])).notices.isEmpty)
        XCTAssertEqual(engine.addl(c), "(nil) <>")
        XCTAssertEqual(engine.feed(at: 2, Fixture.udp(5, server: Fixture.otherServer), .requestDump([])).notices.count, 1)
    }

    /// CALLIT text; after any walld CALLIT from a client its later walld CALLITs are silent.
    func testCallitTextAndWalldSuppression() {
        let engine = PolicyEngine()
        let walld = CallitRequest(program: 100008, version: 1, procedure: 2, argSize: 29)
        let out = engine.feed(at: 1, c, .requestCallit(walld, port: PortValue(32770, .udp)))
        XCTAssertEqual(out.noticeMessages, ["rpc: 10.0.0.1/1000 > 10.0.0.2/portmap pm_callit: walld/2 (29 bytes) -> 32770/udp"])
        let other = Fixture.udp(1001, server: Fixture.otherServer)
        XCTAssertTrue(engine.feed(at: 2, other, .requestCallit(walld, port: PortValue(1, .udp))).notices.isEmpty)
        // Only the script's program-name key suppresses: a non-walld callit to a new server notices.
        let rstat = CallitRequest(program: 100001, version: 1, procedure: 2, argSize: 30)
        let third = Fixture.udp(1002, server: IPv4Address(10, 0, 0, 9))
        XCTAssertEqual(engine.feed(at: 3, third, .requestCallit(rstat, port: PortValue(1, .udp))).notices.count, 1)
    }

    /// Quirk 21: an attempt appends only `(status)` and never notices.
    func testAttemptsAppendStatusOnlyAndNeverNotice() {
        let engine = PolicyEngine()
        let call = CallitRequest(program: 100008, version: 1, procedure: 2, argSize: 9)
        let out = engine.feed(at: 1, c, .attemptCallit(.timeout, call))
        XCTAssertTrue(out.notices.isEmpty)
        XCTAssertEqual(engine.addl(c), "(timeout)")
        engine.feed(at: 2, c, .attemptGetport(.progMismatch, PortRequest(program: 100003, version: 3, isTCP: false)))
        engine.feed(at: 3, c, .attemptNull(.timeout))
        XCTAssertEqual(engine.addl(c), "(timeout) (mismatch)")
        XCTAssertEqual(engine.remove(at: 4, c).service, "pm_callit")
    }

    /// Quirk 28: RPC_VERS_MISMATCH has no RPC_status text: nothing is appended, the service
    /// is still recorded, and the aborted callit handler does not remember walld.
    func testVersMismatchAddsNothing() {
        let engine = PolicyEngine()
        engine.feed(at: 1, c, .attemptDump(.versMismatch))
        XCTAssertEqual(engine.addl(c), "")
        let walld = CallitRequest(program: 100008, version: 1, procedure: 2, argSize: 9)
        engine.feed(at: 2, c, .attemptCallit(.versMismatch, walld))
        XCTAssertTrue(engine.suppressPMLogWalld.isEmpty)
        engine.feed(at: 3, c, .attemptNull(RPCStatus(rawValue: 6)))
        XCTAssertEqual(engine.addl(c), "(timeout)", "UDP accept_stat 6 reads as RPC_TIMEOUT")
        engine.feed(at: 4, c, .attemptNull(RPCStatus(rawValue: 12)))
        XCTAssertEqual(engine.addl(c), "(timeout)", "out-of-range statuses have no text either")
        XCTAssertEqual(engine.remove(at: 5, c).service, "pm_callit")
    }

    func testGetportOkayRules() {
        func notices(_ configure: (inout PolicyConfiguration) -> Void, server: IPv4Address = Fixture.server,
                     program: UInt32 = 100004) -> Int {
            var configuration = PolicyConfiguration()
            configure(&configuration)
            let engine = PolicyEngine(configuration: configuration)
            return engine.feed(at: 1, Fixture.udp(server: server), Fixture.getport(program, 1)).notices.count
        }
        XCTAssertEqual(notices({ _ in }), 1)
        XCTAssertEqual(notices({ _ in }, server: IPv4Address(224, 0, 1, 4)), 0, "ypserv on sun-rpc.mcast.net")
        XCTAssertEqual(notices({ _ in }, server: IPv4Address(224, 0, 1, 4), program: 100005), 1)
        XCTAssertEqual(notices { $0.rpcOkayServices = ["ypserv"] }, 0)
        XCTAssertEqual(notices { $0.rpcOkayNets = [Subnet(parsing: "10.0.0.0/24")!] }, 0)
        XCTAssertEqual(notices { $0.rpcOkay = [RPCOkayEntry(server: Fixture.server, client: Fixture.client, service: "ypserv")] }, 0)
        XCTAssertEqual(notices { $0.rpcOkay = [RPCOkayEntry(server: Fixture.client, client: Fixture.server, service: "ypserv")] }, 1)
        XCTAssertEqual(notices({ $0.nfsWorldServers = [Fixture.server] }, program: 100005), 0, "NFS world server × mountd")
        XCTAssertEqual(notices({ $0.nfsWorldServers = [Fixture.server] }, program: 100232), 1)
    }

    /// Quirk 30 / SEMANTICS-CONN §4.4 rule 1: the hash-first element of the service set.
    func testServiceIsTheHashFirstProcedure() {
        XCTAssertEqual(ScriptTableOrder.firstService(["pm_getport", "pm_null"]), "pm_null")
        XCTAssertEqual(ScriptTableOrder.firstService(["pm_set", "pm_getport", "pm_dump", "pm_unset"]), "pm_dump")
        XCTAssertEqual(ScriptTableOrder.firstService(["pm_null", "pm_set", "pm_getport", "pm_dump", "pm_callit"]), "pm_callit")
        XCTAssertEqual(ScriptTableOrder.firstService(["pm_set", "pm_null"]), "pm_set", "same bucket: first added")
        XCTAssertEqual(ScriptTableOrder.firstService(["pm_null", "pm_set"]), "pm_null")
        XCTAssertEqual(ScriptTableOrder.firstService(["pm_unset", "pm_getport"]), "pm_getport")
        let engine = PolicyEngine()
        engine.feed(at: 1, c, Fixture.getport(100021, 0))
        engine.feed(at: 2, c, .requestNull)
        XCTAssertEqual(engine.remove(at: 3, c).service, "pm_null")
    }

    /// update_RPC_server_map: `/`-joined, skipped when a substring; DUMP entries are visited
    /// in the hash order of their index (5 entries: 4, 2, 5, 1, 3).
    func testServerMapJoinsNamesInDumpVisitOrder() {
        XCTAssertEqual(ScriptTableOrder.dumpVisitOrder(count: 5), [3, 1, 4, 0, 2])
        let engine = PolicyEngine()
        let programs: [UInt32] = [100001, 100002, 100003, 100004, 100005]
        engine.feed(at: 1, c, .requestDump(programs.map { Fixture.mapping($0, 7) }))
        let key = ServerPort(server: Fixture.server, port: PortValue(7, .udp))
        XCTAssertEqual(engine.rpcServerMap[key], "ypserv/rusersd/mountd/rstatd/nfs")
        engine.updateServerMap(server: Fixture.server, port: PortValue(7, .udp), program: "nfs")
        engine.updateServerMap(server: Fixture.server, port: PortValue(7, .udp), program: "sd")
        XCTAssertEqual(engine.rpcServerMap[key], "ypserv/rusersd/mountd/rstatd/nfs", "substrings are not added")
        // A GETPORT reply maps the returned port (port 0 too).
        engine.feed(at: 2, c, Fixture.getport(100232, 0))
        XCTAssertEqual(engine.rpcServerMap[ServerPort(server: Fixture.server, port: PortValue(0, .udp))], "sadmind")
    }

    /// Quirk 22 and SEMANTICS-RPC §2.3: `pm_bad_port` → `conn_weird_addl("bad_pm_port",
    /// "port N")` queued behind the packet's other events; PER_ORIG: noticed, then one
    /// silent line, then ignored on that connection.
    func testBadPortWeirdIsQueuedBehindThePacketsEvents() {
        let engine = PolicyEngine()
        let t = Fixture.tcp()
        engine.process([
            .portmapper(time: 1, connection: t, event: .badPort(1952673846)),
            .portmapper(time: 1, connection: t, event: .badPort(1937076325)),
            .portmapper(time: 1, connection: t, event: .badPort(1952673846)),
            .weird(time: 1, event: WeirdEvent(name: "bad_RPC", scope: .connection(t))),
        ])
        let out = engine.takeOutput()
        XCTAssertEqual(out.weirdLines, [
            "1.000000 10.0.0.1/2000 > 10.0.0.2/portmap: bad_RPC",
            "1.000000 10.0.0.1/2000 > 10.0.0.2/portmap: bad_pm_port (port 1952673846)",
            "1.000000 10.0.0.1/2000 > 10.0.0.2/portmap: bad_pm_port (port 1937076325)",
        ])
        XCTAssertEqual(out.noticeMessages, [
            "10.0.0.1/2000 > 10.0.0.2/portmap: bad_RPC",
            "10.0.0.1/2000 > 10.0.0.2/portmap: bad_pm_port (port 1952673846)",
        ])
        XCTAssertEqual(out.tags, ["1", "1"])
        // The upstream-emits-it mode does not derive a second weird.
        let quiet = PolicyEngine(derivesBadPortWeird: false)
        XCTAssertTrue(quiet.feed(at: 1, t, .badPort(70000)).weirds.isEmpty)
    }

    /// hot.bro: a responder in hot_dsts with payload both ways marks the connection hot,
    /// which forces a notice even for pm_null and a SensitiveConnection at removal.
    func testHotDestination() {
        let engine = PolicyEngine()
        let hot = Fixture.udp(client: Fixture.client, server: IPv4Address(206, 101, 197, 226), sizes: (40, 24))
        let out = engine.feed(at: 1, hot, .requestNull)
        XCTAssertEqual(out.noticeMessages, ["rpc: 10.0.0.1/1000 > 206.101.197.226/portmap pm_null: <ILOVEYOU worm destination>"])
        engine.process([.connectionRemoved(time: 2, removal: ConnectionRemoval(
            connection: hot, token: 7,
            summary: ConnectionSummaryText(stateCode: "SF", originatorBytesText: "40", responderBytesText: "24", duration: 0.25)))])
        let removal = engine.takeOutput()
        XCTAssertEqual(removal.noticeMessages,
                       ["hot: 10.0.0.1 40b > 206.101.197.226/portmap 24b 0.2s <ILOVEYOU worm destination> @1"])
        XCTAssertEqual(removal.connections.first?.addl, "<ILOVEYOU worm destination> @1")
        // Without payload on both sides nothing happens.
        let cold = Fixture.udp(5, server: IPv4Address(206, 101, 197, 226), sizes: (40, 0))
        XCTAssertTrue(engine.feed(at: 3, cold, .requestNull).notices.isEmpty)
    }

    /// scan.bro: failed UDP attempts to 20 distinct hosts → AddressScan (no connection,
    /// fresh tag, `num` = 20); 100 → ShutdownThresh.
    func testAddressScanThresholds() {
        let engine = PolicyEngine()
        var notices: [NoticeRecord] = []
        for host in 1...100 {
            let target = Fixture.udp(UInt16(3000 + host), server: IPv4Address(10, 1, 0, UInt8(host)))
            notices += engine.feed(at: Double(host), target, .attemptNull(.timeout)).notices
        }
        XCTAssertEqual(notices.map(\.note), ["AddressScan", "ShutdownThresh"])
        XCTAssertEqual(notices[0].message, "10.0.0.1 has scanned 20 hosts (111/udp)")
        XCTAssertEqual(notices[0].count, 20)
        XCTAssertNil(notices[0].sourcePort)
        XCTAssertEqual(notices[0].tag, "1")
        XCTAssertEqual(notices[1].message, "shutdown threshold reached for 10.0.0.1")
        // Successful requests (established) do not count.
        let quiet = PolicyEngine()
        for host in 1...30 {
            XCTAssertTrue(quiet.feed(at: 1, Fixture.udp(server: IPv4Address(10, 2, 0, UInt8(host))), .requestNull).notices.isEmpty)
        }
        // End of run: ScanSummary for ≥ 25 hosts.
        engine.process([.endOfInput(time: 200)])
        XCTAssertEqual(engine.takeOutput().noticeMessages, ["10.0.0.1 scanned a total of 100 hosts"])
    }

    /// id_string replaces ports that have a port_names entry (client port 123/udp → ntp).
    func testIDStringUsesPortNames() {
        let engine = PolicyEngine()
        let out = engine.feed(at: 1, Fixture.udp(123), Fixture.getport(100005, 1))
        XCTAssertEqual(out.noticeMessages, ["rpc: 10.0.0.1/ntp > 10.0.0.2/portmap pm_getport: mountd -> 1/udp"])
    }
}
