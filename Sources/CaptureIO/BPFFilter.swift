import CPcap

/// A capture filter expression that libpcap could not compile.
public struct BPFFilterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The expression as given.
    public var expression: String
    /// The link type it was compiled for.
    public var linkType: LinkType
    /// libpcap's own explanation (`pcap_geterr`), or why no compile was attempted.
    public var message: String

    public init(expression: String, linkType: LinkType, message: String) {
        self.expression = expression
        self.linkType = linkType
        self.message = message
    }

    public var description: String {
        "bad capture filter \"\(expression)\" (link type \(linkType)): \(message)"
    }
}

/// A BPF capture filter (tcpdump syntax) compiled by libpcap and run with
/// `bpf_filter` over each packet's bytes.
///
/// The same expression compiles to different programs for different link types
/// (the link header decides where the IP header starts), so one program is
/// compiled per link type, lazily on the first packet of that type, and cached
/// in this object. There is no shared state between filters.
///
/// Not `Sendable` on purpose: `pcap_compile` is not thread-safe, so a filter is
/// compiled and used on the thread that owns it. Each shard or dispatcher that
/// needs one makes its own.
public final class BPFFilter {
    /// The reference's capture filter: its portmapper analyzer only ever saw port 111.
    public static let defaultExpression = "port 111"
    /// Snapshot length handed to the compiler; larger than any caplen a reader accepts.
    static let compileSnaplen: Int32 = 262_144

    public let expression: String

    /// Compiled programs by link type; usually one or two entries, so a linear scan.
    private var programs: [(linkType: LinkType, program: bpf_program)] = []
    /// Link types whose compile failed; their packets never match.
    public private(set) var failures: [LinkType: BPFFilterError] = [:]
    /// One-entry cache in front of `programs`: traces rarely mix link types.
    /// Checked on every packet by the (single) owning thread, hence unchecked.
    @exclusivity(unchecked) private var lastLinkType: LinkType?
    @exclusivity(unchecked) private var lastInstructions: UnsafePointer<bpf_insn>?
    /// The native twin of the cached program when it is `port N` on Ethernet.
    @exclusivity(unchecked) private var lastNativeProgram: EthernetPortProgram?

    /// Compiles `expression` once for `checkedLinkType` so that a syntax error
    /// surfaces here rather than as silently rejected packets.
    /// - Parameters:
    ///   - expression: a tcpdump/pcap-filter(7) expression; `""` accepts everything.
    ///   - checkedLinkType: the link type compiled eagerly (Ethernet by default).
    /// - Throws: `BPFFilterError` with libpcap's message if the expression does not compile.
    public init(expression: String = BPFFilter.defaultExpression, checkedLinkType: LinkType = .ethernet) throws(BPFFilterError) {
        self.expression = expression
        try prepare(for: checkedLinkType)
    }

    deinit {
        for index in programs.indices {
            pcap_freecode(&programs[index].program)
        }
    }

    /// Compiles the program for `linkType` now (no-op if already compiled).
    /// - Throws: `BPFFilterError` if libpcap rejects the expression for this link type.
    public func prepare(for linkType: LinkType) throws(BPFFilterError) {
        if programs.contains(where: { $0.linkType == linkType }) { return }
        if let failure = failures[linkType] { throw failure }
        do {
            programs.append((linkType, try Self.compile(expression, for: linkType)))
        } catch {
            failures[linkType] = error
            throw error
        }
    }

    /// True when the packet passes the filter. A packet whose link type the
    /// expression cannot be compiled for never matches (see `failures`).
    public func matches(_ packet: CapturedPacket) -> Bool {
        // The usual case first: same link type as the last packet, native program.
        if packet.linkType == lastLinkType, let native = lastNativeProgram { return native.matches(packet.bytes) }
        guard let instructions = instructions(for: packet.linkType) else { return false }
        if let native = lastNativeProgram { return native.matches(packet.bytes) }
        return Self.run(instructions, on: packet)
    }

    /// The verdict of libpcap's own interpreter (`bpf_filter`), never the native
    /// twin of a `port N` program: the reference the twin is tested against.
    public func matchesWithLibpcap(_ packet: CapturedPacket) -> Bool {
        guard let instructions = instructions(for: packet.linkType) else { return false }
        return Self.run(instructions, on: packet)
    }

    /// Whether packets of `linkType` are matched by a native twin of the compiled
    /// program rather than by `bpf_filter` (see `EthernetPortProgram`).
    public func usesNativeProgram(for linkType: LinkType) -> Bool {
        _ = instructions(for: linkType)
        return lastNativeProgram != nil
    }

    private static func run(_ instructions: UnsafePointer<bpf_insn>, on packet: CapturedPacket) -> Bool {
        let bytes = packet.bytes
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            // No bytes: every load is out of bounds, but `bpf_filter` still needs a
            // valid pointer (an accept-all program never loads).
            var empty: UInt8 = 0
            return bpf_filter(instructions, &empty, packet.wireLength, 0) != 0
        }
        return bpf_filter(
            instructions, base.assumingMemoryBound(to: UInt8.self),
            packet.wireLength, UInt32(truncatingIfNeeded: bytes.count)) != 0
    }

    private func instructions(for linkType: LinkType) -> UnsafePointer<bpf_insn>? {
        if linkType == lastLinkType { return lastInstructions }
        // Compiles on first sight; a failure is remembered in `failures`.
        try? prepare(for: linkType)
        lastLinkType = linkType
        let program = programs.first(where: { $0.linkType == linkType })?.program
        lastInstructions = program.flatMap { UnsafePointer($0.bf_insns) }
        lastNativeProgram = linkType == .ethernet ? program.flatMap(EthernetPortProgram.init) : nil
        return lastInstructions
    }

    private static func compile(_ expression: String, for linkType: LinkType) throws(BPFFilterError) -> bpf_program {
        guard let dlt = linkType.libpcapDLT else {
            throw BPFFilterError(expression: expression, linkType: linkType, message: "libpcap has no DLT for this link type")
        }
        guard let handle = pcap_open_dead_with_tstamp_precision(dlt, compileSnaplen, UInt32(PCAP_TSTAMP_PRECISION_MICRO)) else {
            throw BPFFilterError(expression: expression, linkType: linkType, message: "pcap_open_dead failed")
        }
        defer { pcap_close(handle) }
        var program = bpf_program()
        // optimize = 1; netmask unknown: expressions using "ip broadcast" then fail
        // to compile, which is the honest answer without an interface.
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw BPFFilterError(expression: expression, linkType: linkType, message: String(cString: pcap_geterr(handle)))
        }
        return program
    }
}
