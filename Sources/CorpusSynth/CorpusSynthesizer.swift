/// What to synthesize.
public struct CorpusSynthConfiguration: Sendable, Equatable {
    /// Target file size in bytes (the result lands within a few KB of it).
    public var targetBytes: UInt64
    /// Seed of every random choice: same configuration, byte-identical file.
    public var seed: UInt64
    /// Fraction of frame bytes that belong to port-111 (portmapper) traffic.
    public var rpcShare: Double

    public init(targetBytes: UInt64, seed: UInt64, rpcShare: Double = 0.02) {
        self.targetBytes = targetBytes
        self.seed = seed
        self.rpcShare = rpcShare
    }
}

/// What a synthesis wrote.
public struct CorpusSynthSummary: Sendable, Equatable {
    public var fileBytes: UInt64 = 0
    public var packets: UInt64 = 0
    /// Captured frame bytes (record headers excluded), all frames / port-111 frames.
    public var frameBytes: UInt64 = 0
    public var rpcFrameBytes: UInt64 = 0
    public var rpcCalls: UInt64 = 0
    public var anomalies: UInt64 = 0
    public var badChecksums: UInt64 = 0
}

/// Deterministic generator of realistic mixed traffic with portmapper dialogues
/// and anomalies (see `rpcreplay corpus synth --help`).
///
/// Traffic is a sequence of episodes: background ones (bulk TCP transfers with
/// ACKs, DNS over UDP; IPv4 or IPv6, some 802.1Q-tagged) and portmapper ones
/// (UDP and TCP dialogues on port 111). Before each episode the generator compares
/// the port-111 bytes so far with `rpcShare` of all bytes and picks the kind that
/// keeps the ratio on target, so the share holds at any size.
///
/// Timestamps come from a clock that starts at a seed-derived instant and advances
/// by seeded gaps, never from the wall clock.
public final class CorpusSynthesizer {
    public let configuration: CorpusSynthConfiguration
    var rng: SplitMix64
    let output: SynthOutput
    /// Network time in microseconds since the epoch.
    var clock: UInt64
    var summary = CorpusSynthSummary()
    /// Whether frames emitted now count as port-111 bytes.
    var countingRPC = false
    /// Random bytes that bulk payloads are cut from (filled once).
    let payloadPool: UnsafeMutableRawPointer
    static let payloadPoolBytes = 1 << 16
    /// Scratch for one RPC message or DNS packet.
    let scratch: UnsafeMutableRawPointer
    static let scratchBytes = 8192
    /// Probability that any one frame carries a wrong transport checksum.
    var badChecksumRate: Double
    var nextEphemeralPort: UInt16

    /// Opens (truncates) `path` and writes the pcap file header.
    /// - Throws: `CorpusSynthError` if the file cannot be created.
    public init(path: String, configuration: CorpusSynthConfiguration) throws(CorpusSynthError) {
        self.configuration = configuration
        rng = SplitMix64(seed: configuration.seed ^ 0x5253_594E_5448_0001)
        output = try SynthOutput(path: path)
        // A seed-derived start between 2015 and 2025.
        clock = (1_420_070_400 + UInt64(rng.below(315_360_000))) * 1_000_000 + UInt64(rng.below(1_000_000))
        payloadPool = .allocate(byteCount: Self.payloadPoolBytes + 2048, alignment: 16)
        for i in stride(from: 0, to: Self.payloadPoolBytes + 2048, by: 8) {
            payloadPool.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self)
        }
        scratch = .allocate(byteCount: Self.scratchBytes, alignment: 16)
        badChecksumRate = 0.004
        nextEphemeralPort = UInt16(32768 + rng.below(28000))
    }

    deinit {
        payloadPool.deallocate()
        scratch.deallocate()
    }

    /// Writes episodes until the file reaches the target size, then closes it.
    /// - Parameter progress: called after every episode (not every packet) with
    ///   (packets, file bytes) so far; for a progress line.
    /// - Returns: what was written.
    /// - Throws: `CorpusSynthError` on a write failure.
    public func run(progress: (_ packets: UInt64, _ bytes: UInt64) -> Void = { _, _ in }) throws(CorpusSynthError) -> CorpusSynthSummary {
        let target = configuration.targetBytes
        while output.fileBytes < target {
            let remaining = target - output.fileBytes
            let wantRPC = Double(summary.rpcFrameBytes) < configuration.rpcShare * Double(summary.frameBytes + 1)
            if wantRPC && configuration.rpcShare > 0 {
                countingRPC = true
                if rng.chance(0.55) { try udpPortmapEpisode() } else { try tcpPortmapEpisode() }
                countingRPC = false
            } else if remaining < 600 {
                // Too little room for anything but a DNS exchange.
                try dnsEpisode()
            } else if rng.chance(0.3) {
                try dnsEpisode()
            } else {
                try bulkEpisode(maxBytes: min(remaining, backgroundAllowance()))
            }
            clock += UInt64(rng.inRange(50...20_000))
            progress(output.packets, output.fileBytes)
        }
        try output.finish()
        summary.fileBytes = output.fileBytes
        summary.packets = output.packets
        return summary
    }

    /// Background frame bytes that still fit before port-111 traffic falls below its
    /// share, so one long transfer cannot swamp the ratio (at least one small transfer).
    func backgroundAllowance() -> UInt64 {
        let share = configuration.rpcShare
        guard share > 0 else { return .max }
        let rpc = Double(summary.rpcFrameBytes)
        let background = Double(summary.frameBytes - summary.rpcFrameBytes)
        let allowed = rpc * (1 - share) / share - background
        return UInt64(max(4_000, min(allowed, 1e15)))
    }

    /// Emits one frame of `flow` and advances the clock a little.
    @inline(__always)
    func emit(
        _ flow: inout SynthFlow, fromClient: Bool, flags: UInt8 = 0, seq: UInt32 = 0, ack: UInt32 = 0,
        payload: UnsafeRawBufferPointer, forceBadChecksum: Bool = false
    ) throws(CorpusSynthError) {
        let frame = try output.frameSpace(maxFrameBytes: SynthFlow.maxFrameBytes)
        let corrupt = forceBadChecksum || rng.chance(badChecksumRate)
        let length = FrameEncoder.encode(
            into: frame, flow: &flow, fromClient: fromClient, tcpFlags: flags, seq: seq, ack: ack,
            payload: payload, corruptChecksum: corrupt)
        output.commitFrame(length: length, microseconds: clock)
        summary.frameBytes += UInt64(length)
        if countingRPC { summary.rpcFrameBytes += UInt64(length) }
        if corrupt { summary.badChecksums += 1 }
        clock += UInt64(1 + rng.below(120))
    }

    /// Sends a TCP segment from one side, advancing that side's sequence number.
    @inline(__always)
    func tcpSend(_ flow: inout SynthFlow, fromClient: Bool, flags: UInt8, payload: UnsafeRawBufferPointer)
        throws(CorpusSynthError)
    {
        let seq = fromClient ? flow.clientSeq : flow.serverSeq
        let ack = fromClient ? flow.serverSeq : flow.clientSeq
        try emit(&flow, fromClient: fromClient, flags: flags, seq: seq, ack: ack, payload: payload)
        let advance = UInt32(payload.count) &+ (flags & (TCPFlag.syn | TCPFlag.fin) != 0 ? 1 : 0)
        if fromClient { flow.clientSeq &+= advance } else { flow.serverSeq &+= advance }
    }

    /// SYN, SYN-ACK, ACK.
    func tcpHandshake(_ flow: inout SynthFlow, rtt: UInt64) throws(CorpusSynthError) {
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        try tcpSend(&flow, fromClient: true, flags: TCPFlag.syn, payload: none)
        clock += rtt
        try tcpSend(&flow, fromClient: false, flags: TCPFlag.syn | TCPFlag.ack, payload: none)
        clock += rtt
        try tcpSend(&flow, fromClient: true, flags: TCPFlag.ack, payload: none)
    }

    /// FIN from the client, FIN from the server, last ACK.
    func tcpClose(_ flow: inout SynthFlow, rtt: UInt64) throws(CorpusSynthError) {
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        try tcpSend(&flow, fromClient: true, flags: TCPFlag.fin | TCPFlag.ack, payload: none)
        clock += rtt
        try tcpSend(&flow, fromClient: false, flags: TCPFlag.fin | TCPFlag.ack, payload: none)
        clock += rtt
        try tcpSend(&flow, fromClient: true, flags: TCPFlag.ack, payload: none)
    }

    /// A fresh client port from the Linux ephemeral range (never 111).
    func ephemeralPort() -> UInt16 {
        nextEphemeralPort = nextEphemeralPort >= 60999 ? 32768 : nextEphemeralPort + 1 + UInt16(rng.below(7))
        return nextEphemeralPort
    }

    /// A flow between a random client and a random server of the given family.
    func makeFlow(ipProtocol: UInt8, serverPort: UInt16, ipv6Share: Double, vlanShare: Double) -> SynthFlow {
        let isIPv6 = rng.chance(ipv6Share)
        let clientIndex = UInt32(1 + rng.below(250))
        let serverIndex = UInt32(1 + rng.below(40))
        let clientNet = UInt32(rng.below(8))
        let client = SynthHost(
            mac: 0x0200_0000_0000 | UInt64(clientNet) << 8 | UInt64(clientIndex),
            ipv4: 0x0A01_0000 | clientNet << 8 | clientIndex,  // 10.1.n.h
            ipv6High: 0x2001_0DB8_0001_0000 | UInt64(clientNet), ipv6Low: UInt64(clientIndex),
            port: ephemeralPort())
        let server = SynthHost(
            mac: 0x0200_00AA_0000 | UInt64(serverIndex),
            ipv4: 0xC0A8_0100 | serverIndex,  // 192.168.1.h
            ipv6High: 0x2001_0DB8_00AA_0000, ipv6Low: UInt64(serverIndex),
            port: serverPort)
        return SynthFlow(
            client: client, server: server, ipProtocol: ipProtocol, isIPv6: isIPv6,
            vlan: rng.chance(vlanShare) ? UInt16(10 + rng.below(90)) : 0,
            clientSeq: UInt32(truncatingIfNeeded: rng.next()), serverSeq: UInt32(truncatingIfNeeded: rng.next()),
            ipID: UInt16(truncatingIfNeeded: rng.next()))
    }
}
