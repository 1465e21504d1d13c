import PacketDecoding

/// Notice actions of notice.bro. The reference's only policy item maps every notice to
/// `NOTICE_ALARM_ALWAYS`; reading traces, e-mail/page actions behave like alarms.
public enum NoticeAction: String, Hashable, Sendable, CaseIterable {
    case ignore = "NOTICE_IGNORE"
    case file = "NOTICE_FILE"
    case alarmAlways = "NOTICE_ALARM_ALWAYS"
    case email = "NOTICE_EMAIL"
    case page = "NOTICE_PAGE"

    var writesAlarm: Bool { self != .ignore && self != .file }
}

/// `[client, server]` pairs (RPC_dump_okay).
public struct AddressPair: Hashable, Sendable {
    public var first: IPv4Address
    public var second: IPv4Address
    public init(_ first: IPv4Address, _ second: IPv4Address) {
        self.first = first
        self.second = second
    }

    /// Both addresses in one word instead of SipHash over them.
    public func _rawHashValue(seed: Int) -> Int {
        WordHash.hash(UInt64(first.value) << 32 | UInt64(second.value), seed: seed)
    }
}

/// `[addr, string]` keys (any_RPC_okay, weird_ignore_host, suppress_pm_log).
public struct AddressName: Hashable, Sendable {
    public var address: IPv4Address
    public var name: String
    public init(_ address: IPv4Address, _ name: String) {
        self.address = address
        self.name = name
    }
}

/// `[server, client, service]` (RPC_okay).
public struct RPCOkayEntry: Hashable, Sendable {
    public var server: IPv4Address
    public var client: IPv4Address
    public var service: String
    public init(server: IPv4Address, client: IPv4Address, service: String) {
        self.server = server
        self.client = client
        self.service = service
    }
}

/// Every table and constant of the loaded scripts that RPCReplay honours. Defaults equal
/// the reference run (`scan alarm portmapper weird`, `notice_tag_prefix = ""`).
public struct PolicyConfiguration: Hashable, Sendable {
    // MARK: portmapper.bro
    public var rpcPrograms: [UInt32: String] = RPCPrograms.defaultTable
    public var nfsServices: Set<String> = ["mountd", "nfs", "pcnfsd", "nlockmgr", "rquotad", "status"]
    public var nfsWorldServers: Set<IPv4Address> = []
    public var rpcOkay: Set<RPCOkayEntry> = []
    public var rpcOkayNets: [Subnet] = []
    public var rpcOkayServices: Set<String> = []
    /// `[client, server]` pairs whose DUMP requests are not noticed.
    public var rpcDumpOkay: Set<AddressPair> = []
    /// any_RPC_okay entries besides `NFS_world_servers × NFS_services`.
    /// Default: `sun-rpc.mcast.net` (224.0.1.4) serving `ypserv`.
    public var anyRPCOkay: Set<AddressName> = [AddressName(IPv4Address(224, 0, 1, 4), "ypserv")]
    /// `RPC_do_not_complain`: `[proc, answered]`.
    public var rpcDoNotComplain: Set<ProcedureOutcome> = [
        ProcedureOutcome("pm_null", answered: true), ProcedureOutcome("pm_null", answered: false),
    ]
    /// bro.init's `RPC_status` text; 7 (RPC_VERS_MISMATCH) is missing on purpose.
    public var rpcStatusText: [UInt32: String] = [
        0: "ok", 1: "prog unavail", 2: "mismatch", 3: "proc unavail", 4: "garbage args",
        5: "system err", 6: "timeout", 8: "auth error", 9: "unknown",
    ]
    /// pm_request text longer than this many bytes gets ` ...` instead of new text.
    public var annotationLimit: Int = 80

    // MARK: weird.bro
    public var weirdAction: [String: WeirdAction] = DefaultWeirdActions.table
    public var weirdActionFilters: [String: WeirdActionFilter] = [
        "bad_RPC": .rpcOkayNets, "excess_RPC": .rpcOkayNets,
        "multiple_RPCs": .rpcOkayNets, "partial_RPC": .rpcOkayNets,
    ]
    public var weirdIgnoreHost: Set<AddressName> = []
    public var weirdDoNotIgnoreRepeats: Set<String> = [
        "bad_IP_checksum", "bad_TCP_checksum", "bad_UDP_checksum", "bad_ICMP_checksum",
    ]
    /// `weird_ignore &write_expire` (seconds of network time).
    public var weirdIgnoreExpiry: Double = 600
    /// `did_notice_conn` / `did_notice_orig` / `did_weird_log` `&read_expire`.
    public var weirdNoticeMemoryExpiry: Double = 86400
    /// `table_expire_interval`: how often expiring tables are swept.
    public var tableExpireInterval: Double = 10

    // MARK: notice.bro
    public var noticeTagPrefix: String = ""
    /// Per-notice-type action; absent types use `defaultNoticeAction`.
    public var noticeActions: [String: NoticeAction] = [:]
    public var defaultNoticeAction: NoticeAction = .alarmAlways
    /// Delay between `connection_state_remove` and forgetting the connection's tag.
    public var noticeTagForgetDelay: Double = 1

    // MARK: hot.bro / site
    public var localNets: [Subnet] = []
    public var hotSources: [IPv4Address: String] = [:]
    public var hotDestinations: [IPv4Address: String] = [IPv4Address(206, 101, 197, 226): "ILOVEYOU worm destination"]
    /// ssh, http, gopher, ident, smtp, 20/tcp, 53/udp, 123/udp.
    public var hotAllowServices: Set<PortValue> = [
        PortValue(22, .tcp), PortValue(80, .tcp), PortValue(70, .tcp), PortValue(113, .tcp),
        PortValue(25, .tcp), PortValue(20, .tcp), PortValue(53, .udp), PortValue(123, .udp),
    ]
    public var hotAllowSpoofServices: Set<PortValue> = [PortValue(110, .tcp), PortValue(139, .tcp)]
    public var flagSuccessfulService: [PortValue: String] = [PortValue(31337, .tcp): "popular backdoors"]
    public var flagSuccessfulInboundService: [PortValue: String] = [
        PortValue(1524, .tcp): "popular backdoor, but with false hits outbound",
    ]
    public var flagRejectedService: Set<PortValue> = []

    // MARK: scan.bro
    public var scan = ScanConfiguration()

    // MARK: port-name.bro
    public var portNames: [PortValue: String] = PortNames.defaultTable

    public init() {}
}

/// `[proc, answered]` key of `RPC_do_not_complain`.
public struct ProcedureOutcome: Hashable, Sendable {
    public var procedure: String
    public var answered: Bool
    public init(_ procedure: String, answered: Bool) {
        self.procedure = procedure
        self.answered = answered
    }
}

/// scan.bro constants (Bro 1.x scan detector).
public struct ScanConfiguration: Hashable, Sendable {
    public var suppressUDPScanChecks = false
    public var activatePrivPortCheck = true
    public var scanSummaryTrigger = 25
    public var portSummaryTrigger = 20
    public var lowPortSummaryTrigger = 10
    public var shutDownThreshold = 100
    public var addressScanTrigger = 0
    public var ignoreScannersThreshold = 0
    public var reportPeerScan: [Int] = [20, 100, 1000, 10000, 50000, 100000, 250000, 500000, 1000000]
    public var reportOutboundPeerScan: [Int] = [100, 1000, 10000]
    public var reportPortScan: [Int] = [50, 250, 1000, 5000, 10000, 25000, 65000]
    public var possiblePortScanThreshold = 20
    public var privScanTrigger = 5
    public var trollSkipServices: Set<PortValue> = [
        PortValue(25, .tcp), PortValue(21, .tcp), PortValue(22, .tcp), PortValue(20, .tcp), PortValue(80, .tcp),
    ]
    public var skipServices: Set<PortValue> = [PortValue(113, .tcp)]
    public var skipOutboundServices: Set<PortValue> = [
        PortValue(21, .tcp), PortValue(81, .tcp), PortValue(443, .tcp), PortValue(8000, .tcp),
        PortValue(8001, .tcp), PortValue(8080, .tcp),
    ]
    public var skipScanSources: Set<IPv4Address> = [IPv4Address(255, 255, 255, 255)]
    public var skipScanNets: [Subnet] = []
    public var backscatterPorts: Set<PortValue> = [
        PortValue(80, .tcp), PortValue(8080, .tcp), PortValue(53, .tcp), PortValue(53, .udp),
        PortValue(179, .tcp), PortValue(6666, .tcp), PortValue(6667, .tcp),
    ]
    public var reportBackscatter: [Int] = [20]
    /// `&read_expire` of the per-scanner tables (15 min).
    public var tableReadExpiry: Double = 900

    public init() {}
}
