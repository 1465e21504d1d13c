import Foundation
import PacketDecoding
import Yams

/// A problem in a configuration file, with the position of the offending node.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    /// Dotted key path (`scan.shut_down_thresh`), empty for document-level problems.
    public var key: String
    public var problem: String

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return key.isEmpty ? "\(place): \(problem)" : "\(place): '\(key)': \(problem)"
    }
}

// Configuration files are YAML (Yams 6.2.2 over libyaml). Chosen over TOML/TOMLKit because
// every Yams node keeps its source mark, so an unknown key or a malformed value is
// reported with its line and column, and libyaml is a few small C files (TOMLKit wraps the
// large C++ toml++ headers, which cost far more build time on this 2-core machine).
//
// Keys mirror the script names. `name: value` replaces a table (`redef name = ...`),
// `name+: value` adds to it (`redef name += ...`), `name-: value` removes from it
// (`redef name -= ...`). See `PolicyConfiguration.fileKeys` for the list.
extension PolicyConfiguration {
    /// Reads a configuration file over the defaults.
    public static func load(path: String) throws(ConfigurationError) -> PolicyConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, line: 0, column: 0, key: "", problem: "cannot read file: \(error)")
        }
        return try parse(yaml: text, file: path)
    }

    /// Applies a YAML document to the defaults. `file` only names the source in errors.
    public static func parse(yaml: String, file: String = "<config>") throws(ConfigurationError) -> PolicyConfiguration {
        var configuration = PolicyConfiguration()
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigurationReader.syntaxError(error, file: file)
        } catch {
            throw ConfigurationError(file: file, line: 0, column: 0, key: "", problem: "\(error)")
        }
        guard let root else { return configuration }  // empty document: defaults
        let reader = ConfigurationReader(file: file)
        try reader.apply(root, to: &configuration)
        return configuration
    }

    /// Every accepted top-level key (each also with a `+` / `-` suffix where it is a table).
    public static let fileKeys: [String] = ConfigurationReader.topLevelKeys.sorted()
}

/// How a key's value combines with the current table.
enum UpdateMode {
    case replace, add, remove
}

struct ConfigurationReader {
    let file: String

    static let topLevelKeys: Set<String> = [
        "rpc_programs", "nfs_services", "nfs_world_servers", "rpc_okay", "rpc_okay_nets",
        "rpc_okay_services", "rpc_dump_okay", "any_rpc_okay", "rpc_do_not_complain", "rpc_status",
        "annotation_limit", "weird_action", "weird_action_filters", "weird_ignore_host",
        "weird_do_not_ignore_repeats", "weird_ignore_expire", "weird_notice_expire",
        "table_expire_interval", "notice_tag_prefix", "notice_action", "default_notice_action",
        "notice_tag_forget_delay", "local_nets", "hot_srcs", "hot_dsts", "hot_allow_services",
        "allow_spoof_services", "flag_successful_service", "flag_successful_inbound_service",
        "flag_rejected_service", "port_names", "scan",
    ]

    static let scanKeys: Set<String> = [
        "suppress_UDP_scan_checks", "activate_priv_port_check", "scan_summary_trigger",
        "port_summary_trigger", "lowport_summary_trigger", "shut_down_thresh", "addr_scan_trigger",
        "ignore_scanners_threshold", "report_peer_scan", "report_outbound_peer_scan",
        "report_port_scan", "possible_port_scan_thresh", "priv_scan_trigger", "troll_skip_service",
        "skip_services", "skip_outbound_services", "skip_scan_sources", "skip_scan_nets",
        "backscatter_ports", "report_backscatter", "table_read_expire",
    ]

    static func syntaxError(_ error: YamlError, file: String) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return ConfigurationError(file: file, line: mark.line, column: mark.column, key: "", problem: "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, _):
            return ConfigurationError(file: file, line: 0, column: 0, key: duplicates.joined(separator: ", "),
                                      problem: "key given more than once")
        default:
            return ConfigurationError(file: file, line: 0, column: 0, key: "", problem: "YAML: \(error)")
        }
    }

    func fail(_ node: Node, _ key: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, key: key, problem: problem)
    }

    /// Splits `name+` / `name-` into the table name and the update mode.
    func splitKey(_ raw: String) -> (String, UpdateMode) {
        if raw.hasSuffix("+") { return (String(raw.dropLast()), .add) }
        if raw.hasSuffix("-") { return (String(raw.dropLast()), .remove) }
        return (raw, .replace)
    }

    func apply(_ root: Node, to configuration: inout PolicyConfiguration) throws(ConfigurationError) {
        guard let mapping = root.mapping else {
            throw fail(root, "", "the document must be a mapping of setting names to values")
        }
        for (keyNode, value) in mapping {
            guard let rawKey = keyNode.scalar?.string else { throw fail(keyNode, "", "setting names must be plain strings") }
            let (key, mode) = splitKey(rawKey)
            guard ConfigurationReader.topLevelKeys.contains(key) else {
                throw fail(keyNode, rawKey, "unknown setting (known: \(ConfigurationReader.topLevelKeys.sorted().joined(separator: ", ")))")
            }
            try applySetting(key, rawKey: rawKey, mode: mode, value: value, keyNode: keyNode, to: &configuration)
        }
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    func applySetting(_ key: String, rawKey: String, mode: UpdateMode, value: Node, keyNode: Node,
                      to c: inout PolicyConfiguration) throws(ConfigurationError) {
        switch key {
        case "rpc_programs":
            try update(&c.rpcPrograms, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try count32(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try string(v, rawKey) })
        case "rpc_status":
            try update(&c.rpcStatusText, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try count32(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try string(v, rawKey) })
        case "nfs_services": try update(&c.nfsServices, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try string(n, rawKey) }
        case "rpc_okay_services": try update(&c.rpcOkayServices, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try string(n, rawKey) }
        case "weird_do_not_ignore_repeats": try update(&c.weirdDoNotIgnoreRepeats, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try string(n, rawKey) }
        case "nfs_world_servers": try update(&c.nfsWorldServers, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try address(n, rawKey) }
        case "rpc_okay":
            try update(&c.rpcOkay, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in
                let parts = try tuple(n, rawKey, count: 3, shape: "[server, client, service]")
                return RPCOkayEntry(server: try address(parts[0], rawKey), client: try address(parts[1], rawKey),
                                    service: try string(parts[2], rawKey))
            }
        case "rpc_dump_okay":
            try update(&c.rpcDumpOkay, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in
                let parts = try tuple(n, rawKey, count: 2, shape: "[client, server]")
                return AddressPair(try address(parts[0], rawKey), try address(parts[1], rawKey))
            }
        case "any_rpc_okay", "weird_ignore_host":
            var set = key == "any_rpc_okay" ? c.anyRPCOkay : c.weirdIgnoreHost
            try update(&set, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in
                let parts = try tuple(n, rawKey, count: 2, shape: "[address, name]")
                return AddressName(try address(parts[0], rawKey), try string(parts[1], rawKey))
            }
            if key == "any_rpc_okay" { c.anyRPCOkay = set } else { c.weirdIgnoreHost = set }
        case "rpc_do_not_complain":
            try update(&c.rpcDoNotComplain, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in
                let parts = try tuple(n, rawKey, count: 2, shape: "[procedure, answered]")
                return ProcedureOutcome(try string(parts[0], rawKey), answered: try bool(parts[1], rawKey))
            }
        case "rpc_okay_nets": try updateList(&c.rpcOkayNets, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try subnet(n, rawKey) }
        case "local_nets": try updateList(&c.localNets, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try subnet(n, rawKey) }
        case "annotation_limit": c.annotationLimit = try integer(try scalarOnly(value, rawKey, mode), rawKey)
        case "weird_action":
            try update(&c.weirdAction, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try string(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try weirdAction(v, rawKey) })
        case "weird_action_filters":
            try update(&c.weirdActionFilters, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try string(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try weirdFilter(v, rawKey) })
        case "weird_ignore_expire": c.weirdIgnoreExpiry = try seconds(try scalarOnly(value, rawKey, mode), rawKey)
        case "weird_notice_expire": c.weirdNoticeMemoryExpiry = try seconds(try scalarOnly(value, rawKey, mode), rawKey)
        case "table_expire_interval":
            let interval = try seconds(try scalarOnly(value, rawKey, mode), rawKey)
            guard interval > 0 else { throw fail(value, rawKey, "must be greater than 0") }
            c.tableExpireInterval = interval
        case "notice_tag_prefix": c.noticeTagPrefix = try string(try scalarOnly(value, rawKey, mode), rawKey)
        case "notice_tag_forget_delay": c.noticeTagForgetDelay = try seconds(try scalarOnly(value, rawKey, mode), rawKey)
        case "notice_action":
            try update(&c.noticeActions, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try string(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try noticeAction(v, rawKey) })
        case "default_notice_action": c.defaultNoticeAction = try noticeAction(try scalarOnly(value, rawKey, mode), rawKey)
        case "hot_srcs", "hot_dsts":
            var table = key == "hot_srcs" ? c.hotSources : c.hotDestinations
            try update(&table, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try address(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try string(v, rawKey) })
            if key == "hot_srcs" { c.hotSources = table } else { c.hotDestinations = table }
        case "hot_allow_services": try update(&c.hotAllowServices, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try port(n, rawKey) }
        case "allow_spoof_services": try update(&c.hotAllowSpoofServices, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try port(n, rawKey) }
        case "flag_rejected_service": try update(&c.flagRejectedService, mode, value, rawKey) { (n: Node) throws(ConfigurationError) in try port(n, rawKey) }
        case "flag_successful_service", "flag_successful_inbound_service":
            var table = key == "flag_successful_service" ? c.flagSuccessfulService : c.flagSuccessfulInboundService
            try update(&table, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try port(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try string(v, rawKey) })
            if key == "flag_successful_service" { c.flagSuccessfulService = table } else { c.flagSuccessfulInboundService = table }
        case "port_names":
            try update(&c.portNames, mode, value, rawKey,
                   keys: { (k: Node) throws(ConfigurationError) in try port(k, rawKey) },
                   values: { (v: Node) throws(ConfigurationError) in try string(v, rawKey) })
        case "scan":
            guard mode == .replace else { throw fail(keyNode, rawKey, "'scan' is a group of settings; use scan: {...}") }
            try applyScan(value, to: &c.scan)
        default:
            throw fail(keyNode, rawKey, "unknown setting")
        }
    }

    func applyScan(_ value: Node, to s: inout ScanConfiguration) throws(ConfigurationError) {
        guard let mapping = value.mapping else { throw fail(value, "scan", "expected a mapping of scan settings") }
        for (keyNode, value) in mapping {
            guard let raw = keyNode.scalar?.string else { throw fail(keyNode, "scan", "setting names must be plain strings") }
            let (name, mode) = splitKey(raw)
            let key = "scan." + raw
            guard ConfigurationReader.scanKeys.contains(name) else {
                throw fail(keyNode, key, "unknown setting (known: \(ConfigurationReader.scanKeys.sorted().joined(separator: ", ")))")
            }
            switch name {
            case "suppress_UDP_scan_checks": s.suppressUDPScanChecks = try bool(try scalarOnly(value, key, mode), key)
            case "activate_priv_port_check": s.activatePrivPortCheck = try bool(try scalarOnly(value, key, mode), key)
            case "scan_summary_trigger": s.scanSummaryTrigger = try integer(try scalarOnly(value, key, mode), key)
            case "port_summary_trigger": s.portSummaryTrigger = try integer(try scalarOnly(value, key, mode), key)
            case "lowport_summary_trigger": s.lowPortSummaryTrigger = try integer(try scalarOnly(value, key, mode), key)
            case "shut_down_thresh": s.shutDownThreshold = try integer(try scalarOnly(value, key, mode), key)
            case "addr_scan_trigger": s.addressScanTrigger = try integer(try scalarOnly(value, key, mode), key)
            case "ignore_scanners_threshold": s.ignoreScannersThreshold = try integer(try scalarOnly(value, key, mode), key)
            case "possible_port_scan_thresh": s.possiblePortScanThreshold = try integer(try scalarOnly(value, key, mode), key)
            case "priv_scan_trigger": s.privScanTrigger = try integer(try scalarOnly(value, key, mode), key)
            case "table_read_expire": s.tableReadExpiry = try seconds(try scalarOnly(value, key, mode), key)
            case "report_peer_scan": s.reportPeerScan = try thresholds(value, key, mode)
            case "report_outbound_peer_scan": s.reportOutboundPeerScan = try thresholds(value, key, mode)
            case "report_port_scan": s.reportPortScan = try thresholds(value, key, mode)
            case "report_backscatter": s.reportBackscatter = try thresholds(value, key, mode)
            case "troll_skip_service": try update(&s.trollSkipServices, mode, value, key) { (n: Node) throws(ConfigurationError) in try port(n, key) }
            case "skip_services": try update(&s.skipServices, mode, value, key) { (n: Node) throws(ConfigurationError) in try port(n, key) }
            case "skip_outbound_services": try update(&s.skipOutboundServices, mode, value, key) { (n: Node) throws(ConfigurationError) in try port(n, key) }
            case "backscatter_ports": try update(&s.backscatterPorts, mode, value, key) { (n: Node) throws(ConfigurationError) in try port(n, key) }
            case "skip_scan_sources": try update(&s.skipScanSources, mode, value, key) { (n: Node) throws(ConfigurationError) in try address(n, key) }
            case "skip_scan_nets": try updateList(&s.skipScanNets, mode, value, key) { (n: Node) throws(ConfigurationError) in try subnet(n, key) }
            default: throw fail(keyNode, key, "unknown setting")
            }
        }
    }

    // MARK: combinators

    func update<Element>(_ set: inout Set<Element>, _ mode: UpdateMode, _ value: Node, _ key: String,
                         _ element: (Node) throws(ConfigurationError) -> Element) throws(ConfigurationError) {
        guard let sequence = value.sequence else { throw fail(value, key, "expected a list") }
        var parsed: [Element] = []
        for node in sequence { parsed.append(try element(node)) }
        switch mode {
        case .replace: set = Set(parsed)
        case .add: set.formUnion(parsed)
        case .remove: set.subtract(parsed)
        }
    }

    func updateList<Element: Equatable>(_ list: inout [Element], _ mode: UpdateMode, _ value: Node, _ key: String,
                                        _ element: (Node) throws(ConfigurationError) -> Element) throws(ConfigurationError) {
        guard let sequence = value.sequence else { throw fail(value, key, "expected a list") }
        var parsed: [Element] = []
        for node in sequence { parsed.append(try element(node)) }
        switch mode {
        case .replace: list = parsed
        case .add: list.append(contentsOf: parsed.filter { !list.contains($0) })
        case .remove: list.removeAll { parsed.contains($0) }
        }
    }

    /// Tables: a mapping to replace/add; for `-` a list of keys (or a mapping whose keys count).
    func update<Key, Value>(_ table: inout [Key: Value], _ mode: UpdateMode, _ value: Node, _ key: String,
                            keys: (Node) throws(ConfigurationError) -> Key,
                            values: (Node) throws(ConfigurationError) -> Value) throws(ConfigurationError) {
        if mode == .remove, let sequence = value.sequence {
            for node in sequence { table[try keys(node)] = nil }
            return
        }
        guard let mapping = value.mapping else { throw fail(value, key, "expected a mapping") }
        var parsed: [(Key, Value)] = []
        for (k, v) in mapping { parsed.append((try keys(k), try values(v))) }
        switch mode {
        case .replace:
            table = [:]
            for (k, v) in parsed { table[k] = v }
        case .add:
            for (k, v) in parsed { table[k] = v }
        case .remove:
            for (k, _) in parsed { table[k] = nil }
        }
    }

    func scalarOnly(_ value: Node, _ key: String, _ mode: UpdateMode) throws(ConfigurationError) -> Node {
        guard mode == .replace else { throw fail(value, key, "a single value cannot be added to or removed from") }
        return value
    }

    func tuple(_ node: Node, _ key: String, count: Int, shape: String) throws(ConfigurationError) -> [Node] {
        guard let sequence = node.sequence, sequence.count == count else {
            throw fail(node, key, "expected \(shape)")
        }
        return Array(sequence)
    }

    func thresholds(_ value: Node, _ key: String, _ mode: UpdateMode) throws(ConfigurationError) -> [Int] {
        guard mode == .replace else { throw fail(value, key, "threshold vectors can only be replaced") }
        guard let sequence = value.sequence else { throw fail(value, key, "expected a list of counts") }
        var result: [Int] = []
        for node in sequence { result.append(try integer(node, key)) }
        guard result == result.sorted() else { throw fail(value, key, "thresholds must be ascending") }
        return result
    }

    // MARK: scalars

    func scalarText(_ node: Node, _ key: String, _ what: String) throws(ConfigurationError) -> String {
        guard let scalar = node.scalar else { throw fail(node, key, "expected \(what)") }
        return scalar.string
    }

    func string(_ node: Node, _ key: String) throws(ConfigurationError) -> String {
        try scalarText(node, key, "a string")
    }

    func integer(_ node: Node, _ key: String) throws(ConfigurationError) -> Int {
        let text = try scalarText(node, key, "a whole number")
        guard let value = Int(text), value >= 0 else { throw fail(node, key, "'\(text)' is not a non-negative whole number") }
        return value
    }

    func count32(_ node: Node, _ key: String) throws(ConfigurationError) -> UInt32 {
        let text = try scalarText(node, key, "a number")
        guard let value = UInt32(text) else { throw fail(node, key, "'\(text)' is not a number from 0 to 4294967295") }
        return value
    }

    func seconds(_ node: Node, _ key: String) throws(ConfigurationError) -> Double {
        let text = try scalarText(node, key, "a number of seconds")
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw fail(node, key, "'\(text)' is not a non-negative number of seconds")
        }
        return value
    }

    func bool(_ node: Node, _ key: String) throws(ConfigurationError) -> Bool {
        let text = try scalarText(node, key, "true or false")
        switch text {
        case "true", "T", "yes": return true
        case "false", "F", "no": return false
        default: throw fail(node, key, "'\(text)' is not true/false")
        }
    }

    func address(_ node: Node, _ key: String) throws(ConfigurationError) -> IPv4Address {
        let text = try scalarText(node, key, "an IPv4 address")
        guard let value = IPv4Address(parsing: text) else { throw fail(node, key, "'\(text)' is not an IPv4 address") }
        return value
    }

    func subnet(_ node: Node, _ key: String) throws(ConfigurationError) -> Subnet {
        let text = try scalarText(node, key, "a subnet like 10.0.0.0/8")
        guard let value = Subnet(parsing: text) else { throw fail(node, key, "'\(text)' is not a subnet like 10.0.0.0/8") }
        return value
    }

    func port(_ node: Node, _ key: String) throws(ConfigurationError) -> PortValue {
        let text = try scalarText(node, key, "a port like 111/udp")
        let parts = text.split(separator: "/")
        let proto: TransportProtocol?
        switch parts.count == 2 ? parts[1] : "" {
        case "tcp": proto = .tcp
        case "udp": proto = .udp
        case "icmp": proto = .icmp
        default: proto = nil
        }
        guard let proto, let number = UInt16(parts[0]) else { throw fail(node, key, "'\(text)' is not a port like 111/udp") }
        return PortValue(number, proto)
    }

    func weirdAction(_ node: Node, _ key: String) throws(ConfigurationError) -> WeirdAction {
        let text = try scalarText(node, key, "a weird action")
        guard let action = WeirdAction(rawValue: text) else {
            throw fail(node, key, "'\(text)' is not one of \(WeirdAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return action
    }

    func noticeAction(_ node: Node, _ key: String) throws(ConfigurationError) -> NoticeAction {
        let text = try scalarText(node, key, "a notice action")
        guard let action = NoticeAction(rawValue: text) else {
            throw fail(node, key, "'\(text)' is not one of \(NoticeAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return action
    }

    /// `rpc_okay_nets` (the reference's RPC filter) or `{nets: [...], action: WEIRD_...}`.
    func weirdFilter(_ node: Node, _ key: String) throws(ConfigurationError) -> WeirdActionFilter {
        if let scalar = node.scalar {
            guard scalar.string == "rpc_okay_nets" else {
                throw fail(node, key, "'\(scalar.string)' is not a filter; use rpc_okay_nets or {nets: [...], action: ...}")
            }
            return .rpcOkayNets
        }
        guard let mapping = node.mapping else { throw fail(node, key, "expected rpc_okay_nets or {nets: [...], action: ...}") }
        var nets: [Subnet]?
        var action: WeirdAction?
        for (k, v) in mapping {
            switch k.scalar?.string {
            case "nets":
                var list: [Subnet] = []
                try updateList(&list, .replace, v, key) { (n: Node) throws(ConfigurationError) in try subnet(n, key) }
                nets = list
            case "action":
                action = try weirdAction(v, key)
            default:
                throw fail(k, key, "unknown filter field (use nets, action)")
            }
        }
        guard let nets, let action else { throw fail(node, key, "a filter needs both nets and action") }
        return .originatorIn(nets, action: action)
    }
}
