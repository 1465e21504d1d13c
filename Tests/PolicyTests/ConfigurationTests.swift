import Foundation
import PacketDecoding
import XCTest
@testable import Policy

final class ConfigurationTests: XCTestCase {
    func testEmptyDocumentGivesTheReferenceDefaults() throws {
        let configuration = try PolicyConfiguration.parse(yaml: "")
        XCTAssertEqual(configuration, PolicyConfiguration())
        XCTAssertEqual(configuration.noticeTagPrefix, "")
        XCTAssertEqual(configuration.defaultNoticeAction, .alarmAlways)
        XCTAssertEqual(configuration.rpcPrograms.count, 129)
        XCTAssertNil(configuration.rpcStatusText[7])
        XCTAssertEqual(configuration.anyRPCOkay, [AddressName(IPv4Address(224, 0, 1, 4), "ypserv")])
        XCTAssertEqual(configuration.weirdActionFilters.count, 4)
    }

    func testEverySettingKind() throws {
        let yaml = """
        notice_tag_prefix: "x-"
        rpc_programs+: {391018: SGI_reserved}
        rpc_dump_okay: [[10.0.0.1, 10.0.0.2]]
        rpc_okay: [[10.0.0.2, 10.0.0.1, mountd]]
        rpc_okay_nets: [192.168.0.0/16]
        rpc_okay_services: [ypbind]
        nfs_world_servers: [10.0.0.9]
        nfs_services-: [status]
        any_rpc_okay+: [[10.0.0.8, nfs]]
        rpc_do_not_complain: [[pm_null, true]]
        rpc_status+: {7: vers mismatch}
        weird_action+: {unpaired_RPC_response: WEIRD_NOTICE_ALWAYS}
        weird_action-: [bad_UDP_checksum]
        weird_action_filters+: {partial_RPC_request: {nets: [10.0.0.0/8], action: WEIRD_IGNORE}}
        weird_ignore_host: [[10.0.0.5, excess_RPC]]
        weird_do_not_ignore_repeats+: [unpaired_RPC_response]
        weird_ignore_expire: 60
        notice_action: {WeirdActivity: NOTICE_FILE}
        local_nets: [10.0.0.0/8]
        hot_dsts+: {10.9.9.9: bad place}
        flag_successful_service: {}
        port_names+: {8080/tcp: http-alt}
        scan: {shut_down_thresh: 50, report_peer_scan: [5, 10], skip_scan_sources+: [10.0.0.7]}
        """
        let c = try PolicyConfiguration.parse(yaml: yaml)
        XCTAssertEqual(c.noticeTagPrefix, "x-")
        XCTAssertEqual(c.rpcPrograms[391018], "SGI_reserved")
        XCTAssertEqual(c.rpcPrograms[100000], "portmapper", "+ keeps the defaults")
        XCTAssertEqual(c.rpcDumpOkay, [AddressPair(IPv4Address(10, 0, 0, 1), IPv4Address(10, 0, 0, 2))])
        XCTAssertEqual(c.rpcOkay.first?.service, "mountd")
        XCTAssertEqual(c.rpcOkayNets, [Subnet(parsing: "192.168.0.0/16")!])
        XCTAssertEqual(c.rpcOkayServices, ["ypbind"])
        XCTAssertEqual(c.nfsWorldServers, [IPv4Address(10, 0, 0, 9)])
        XCTAssertFalse(c.nfsServices.contains("status"))
        XCTAssertEqual(c.anyRPCOkay.count, 2)
        XCTAssertEqual(c.rpcDoNotComplain, [ProcedureOutcome("pm_null", answered: true)])
        XCTAssertEqual(c.rpcStatusText[7], "vers mismatch")
        XCTAssertEqual(c.weirdAction["unpaired_RPC_response"], .noticeAlways)
        XCTAssertNil(c.weirdAction["bad_UDP_checksum"])
        XCTAssertEqual(c.weirdAction["bad_RPC"], .noticePerOriginator)
        XCTAssertEqual(c.weirdActionFilters["partial_RPC_request"], .originatorIn([Subnet(parsing: "10.0.0.0/8")!], action: .ignore))
        XCTAssertEqual(c.weirdActionFilters["bad_RPC"], .rpcOkayNets)
        XCTAssertEqual(c.weirdIgnoreHost, [AddressName(IPv4Address(10, 0, 0, 5), "excess_RPC")])
        XCTAssertTrue(c.weirdDoNotIgnoreRepeats.contains("unpaired_RPC_response"))
        XCTAssertEqual(c.weirdIgnoreExpiry, 60)
        XCTAssertEqual(c.noticeActions["WeirdActivity"], .file)
        XCTAssertEqual(c.localNets.count, 1)
        XCTAssertEqual(c.hotDestinations.count, 2)
        XCTAssertTrue(c.flagSuccessfulService.isEmpty)
        XCTAssertEqual(c.portNames[PortValue(8080, .tcp)], "http-alt")
        XCTAssertEqual(c.scan.shutDownThreshold, 50)
        XCTAssertEqual(c.scan.reportPeerScan, [5, 10])
        XCTAssertTrue(c.scan.skipScanSources.contains(IPv4Address(10, 0, 0, 7)))
        XCTAssertTrue(c.scan.skipScanSources.contains(IPv4Address(255, 255, 255, 255)))
    }

    /// A configured table changes the engine's behaviour end to end.
    func testConfiguredEngine() throws {
        let c = try PolicyConfiguration.parse(yaml: "rpc_dump_okay: [[10.0.0.1, 10.0.0.2]]\nnotice_tag_prefix: t")
        let engine = PolicyEngine(configuration: c)
        XCTAssertTrue(engine.feed(at: 1, Fixture.udp(), .requestDump([])).notices.isEmpty)
        XCTAssertEqual(engine.weird(at: 2, "made_up", .net).tags, ["t1"])
    }

    func error(_ yaml: String) -> ConfigurationError? {
        do {
            _ = try PolicyConfiguration.parse(yaml: yaml, file: "site.yaml")
            return nil
        } catch {
            return error
        }
    }

    func testUnknownKeysNameTheKeyAndLine() {
        let e = error("notice_tag_prefix: x\n\nweird_actoin: {}\n")
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.column, 1)
        XCTAssertEqual(e?.key, "weird_actoin")
        XCTAssertTrue(e?.description.hasPrefix("site.yaml:3:1: 'weird_actoin': unknown setting") ?? false, e?.description ?? "")
        let nested = error("scan:\n  shut_down_threshold: 5\n")
        XCTAssertEqual(nested?.line, 2)
        XCTAssertEqual(nested?.key, "scan.shut_down_threshold")
        let filterField = error("weird_action_filters: {bad_RPC: {nets: [1.2.3.0/24], verdict: WEIRD_FILE}}")
        XCTAssertEqual(filterField?.key, "weird_action_filters")
    }

    func testMalformedValuesNameTheKeyAndLine() {
        let cases: [(String, Int, String)] = [
            ("rpc_programs:\n  100000: portmapper\n  abc: x\n", 3, "rpc_programs"),
            ("rpc_okay_nets:\n  - 10.0.0.0/33\n", 2, "rpc_okay_nets"),
            ("weird_action:\n  bad_RPC: WEIRD_SOMETIMES\n", 2, "weird_action"),
            ("notice_action: {WeirdActivity: NOTICE_MAIL}", 1, "notice_action"),
            ("rpc_dump_okay: [[10.0.0.1]]", 1, "rpc_dump_okay"),
            ("nfs_world_servers: [10.0.0.256]", 1, "nfs_world_servers"),
            ("port_names: {111: portmap}", 1, "port_names"),
            ("table_expire_interval: 0", 1, "table_expire_interval"),
            ("annotation_limit: -1", 1, "annotation_limit"),
            ("notice_tag_prefix+: x", 1, "notice_tag_prefix+"),
            ("scan: {report_peer_scan: [20, 10]}", 1, "scan.report_peer_scan"),
            ("rpc_do_not_complain: [[pm_null, maybe]]", 1, "rpc_do_not_complain"),
            ("nfs_services: mountd", 1, "nfs_services"),
        ]
        for (yaml, line, key) in cases {
            let e = error(yaml)
            XCTAssertEqual(e?.line, line, yaml)
            XCTAssertEqual(e?.key, key, yaml)
        }
    }

    func testSyntaxErrorsAndNonMappingDocuments() {
        let syntax = error("rpc_okay_nets: [10.0.0.0/8\nnext: 1\n")
        XCTAssertNotNil(syntax)
        XCTAssertGreaterThan(syntax?.line ?? 0, 0)
        XCTAssertTrue(syntax?.problem.hasPrefix("YAML syntax") ?? false)
        XCTAssertNotNil(error("- a\n- b\n"))
        XCTAssertEqual(error("notice_tag_prefix: a\nnotice_tag_prefix: b\n")?.key, "notice_tag_prefix")
    }

    func testLoadFromFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-config-\(getpid()).yaml").path
        try "notice_tag_prefix: f-\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try PolicyConfiguration.load(path: path).noticeTagPrefix, "f-")
        XCTAssertThrowsError(try PolicyConfiguration.load(path: path + ".missing"))
    }
}
