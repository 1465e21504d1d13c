import PacketDecoding

/// One weird.log line plus the parts it was built from (for the JSON form).
public struct WeirdRecord: Hashable, Sendable {
    public var time: Double
    /// The complete message as written after the timestamp.
    public var message: String
    public var name: String
    /// Id string (`O/o > R/r`, `SRC -> DST`, or empty for net weirds).
    public var id: String
    public var addl: String
    /// Whether the name was absent from `weird_action` (`** ` prefix).
    public var unknownName: Bool
}

/// One NOTICE that passed the notice policy (action ≠ IGNORE): a notice.log line, and an
/// alarm.log line when `action` alarms.
public struct NoticeRecord: Hashable, Sendable {
    public var time: Double
    public var note: String
    public var action: NoticeAction
    public var source: IPv4Address?
    /// Set only when the notice came with a connection (`sp`/`dp` fields).
    public var sourcePort: PortValue?
    public var destination: IPv4Address?
    public var destinationPort: PortValue?
    public var count: UInt64?
    public var message: String
    public var sub: String?
    public var tag: String

    public var writesAlarm: Bool { action.writesAlarm }
}

/// The policy's answer to `connection_state_remove`: what conn.log prints in the service
/// column and the addl annotation.
public struct ConnectionAnnotation: Hashable, Sendable {
    public var token: UInt64
    public var id: ConnectionID
    public var service: String
    public var addl: String
}

/// Records produced since the last `takeOutput()`, each list in generation order.
public struct PolicyOutput: Sendable {
    public var weirds: [WeirdRecord] = []
    public var notices: [NoticeRecord] = []
    public var connections: [ConnectionAnnotation] = []

    public init() {}

    public var isEmpty: Bool { weirds.isEmpty && notices.isEmpty && connections.isEmpty }
}
