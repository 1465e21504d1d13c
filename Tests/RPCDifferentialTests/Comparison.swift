import SunRPC

/// Why tshark decoded a message that our stack did not parse, checked in this order.
enum TsharkOnlyReason: String, CaseIterable, Comparable {
    /// The frame fails the `port 111` capture filter, so the reference never
    /// reads it (SEMANTICS-RPC §0): NFS, mountd, sadmind ... on their own ports.
    case otherPort = "not port 111"
    /// A non-first IPv4 fragment: the filter cannot see its ports, so only first
    /// fragments are read and the datagram is never completed (SEMANTICS-CONN
    /// §1.1, §1.5); tshark reassembles it and decodes the message here.
    case laterFragment = "later IPv4 fragment"
    /// Intake dropped the packet or held it as a fragment.
    case intake = "dropped at intake"
    /// The TCP record-marking reassembler discarded the frame's bytes while
    /// resynchronising (SEMANTICS-RPC §1.3.1 resync rule).
    case resync = "resync discarded"
    /// A call tshark shows without version or procedure: fewer than the six
    /// header words. We record a call header only when it is complete
    /// (`RPCMessageHeader`); tshark shows the words it found.
    case incompleteCallHeader = "incomplete call header"
    /// Nothing reached an RPC analyzer and the packet was captured shorter than
    /// it was sent: a UDP payload reaches the analyzer only when complete
    /// (SEMANTICS-RPC §0 "Truncated UDP"); for TCP the reassembler has a hole.
    case incompleteCapture = "incompletely captured"
    /// A SYN's payload, which the reference drops (`SYN_with_data`).
    case synWithData = "SYN with data"
    /// The flow's connection has no RPC analyzer: a UDP flow whose first packet
    /// came from port 111 (SEMANTICS-RPC §0 "Role flip").
    case noAnalyzer = "no RPC analyzer"
    /// The connection layer delivered nothing of this frame to the analyzer
    /// (e.g. TCP data after a reset, or bytes it never put in order).
    case notDelivered = "not delivered"
    /// Delivered, yet no header recorded here: unexplained, asserted never to happen.
    case other = "delivered, not parsed"

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The outcome of matching our parsed headers against tshark's messages.
struct Comparison {
    var ours = 0
    var tshark = 0
    var matched = 0
    /// Replies we found no pending call for, while tshark shows the call it
    /// matched (our table removes a call at its reply and per-connection tables
    /// start empty; tshark keeps every call of the conversation).
    var unpairedHere = 0
    /// Replies neither side pairs with a call, which tshark then does not decode
    /// at all: it dissects a reply only when it has seen the call (it needs the
    /// call's program for the body) and shows the rest as "Continuation" data.
    var unpairedRepliesTsharkOmits = 0
    var unpairedHereFrames: [Int] = []
    /// tshark messages without a counterpart here, by reason.
    var tsharkOnly: [TsharkOnlyReason: Int] = [:]
    /// Frames of `tsharkOnly[.other]`.
    var otherFrames: [Int] = []
    /// Every tshark-only message with its reason, by frame.
    var tsharkOnlyMessages: [(message: TsharkMessage, reason: TsharkOnlyReason)] = []
    /// Disagreements: each is a failure unless the corpus table names its frame as a tshark quirk.
    var disagreements: [(frame: Int, text: String)] = []

    init(ours parsed: [ParsedMessage], tshark messages: [TsharkMessage], replay: StackReplay) {
        let frames = replay.frames
        ours = parsed.count
        tshark = messages.count
        var byFrame: [Int: [(message: TsharkMessage, used: Bool)]] = [:]
        for message in messages { byFrame[message.frame, default: []].append((message, false)) }

        for parsedMessage in parsed {
            let header = parsedMessage.header
            let frame = parsedMessage.frame
            guard let index = byFrame[frame]?.firstIndex(where: {
                !$0.used && $0.message.xid == header.xid && $0.message.messageType == header.messageType
            }) else {
                if header.messageType == 1 && header.procedure == nil {
                    unpairedRepliesTsharkOmits += 1
                } else {
                    disagreements.append((frame, "tshark has no \(Self.describe(header)) in this frame"))
                }
                continue
            }
            byFrame[frame]![index].used = true
            let theirs = byFrame[frame]![index].message
            matched += 1
            let theirProcedure = theirs.program.flatMap { program in
                theirs.version.flatMap { version in
                    theirs.procedure.map { RPCProcedureIdentity(program: program, version: version, procedure: $0) }
                }
            }
            switch (header.procedure, theirProcedure) {
            case (let mine?, let their?) where mine != their:
                disagreements.append((frame, "\(Self.describe(header)): tshark says \(Self.describe(their))"))
            case (.some, nil):
                disagreements.append((frame, "\(Self.describe(header)): tshark shows no program/version/procedure"))
            case (nil, .some):
                unpairedHere += 1
                unpairedHereFrames.append(frame)
            default:
                break
            }
        }

        for (frame, entries) in byFrame {
            for entry in entries where !entry.used {
                let reason = replay.filteredLaterFragments.contains(frame)
                    ? .laterFragment : Self.reason(entry.message, frames[frame])
                tsharkOnly[reason, default: 0] += 1
                tsharkOnlyMessages.append((entry.message, reason))
                if reason == .other { otherFrames.append(frame) }
            }
        }
        otherFrames.sort()
        tsharkOnlyMessages.sort { $0.message.frame < $1.message.frame }
        disagreements.sort { $0.frame < $1.frame }
    }

    static func reason(_ message: TsharkMessage, _ fate: FrameFate?) -> TsharkOnlyReason {
        guard let fate else { return .otherPort }
        if !fate.reachedConnections { return .intake }
        if fate.resyncDiscardedChunks > 0 { return .resync }
        if message.messageType == 0 && (message.version == nil || message.procedure == nil) {
            return .incompleteCallHeader
        }
        if fate.deliveredBytes == 0 {
            if fate.truncated { return .incompleteCapture }
            if fate.synWithData { return .synWithData }
            if !fate.flowHasRPCAnalyzer { return .noAnalyzer }
            return .notDelivered
        }
        return .other
    }

    static func describe(_ header: RPCMessageHeader) -> String {
        let kind = header.messageType == 0 ? "call" : "reply"
        let xid = "0x" + String(header.xid, radix: 16)
        let procedure = header.procedure.map { " " + describe($0) } ?? " (unpaired)"
        return "\(kind) xid=\(xid)\(procedure) on \(header.connection.eventsDescription)"
    }

    static func describe(_ p: RPCProcedureIdentity) -> String {
        "prog=\(p.program) vers=\(p.version) proc=\(p.procedure)"
    }

    /// One summary line for the test log.
    func summary(_ corpus: String, continuationPDUs: Int) -> String {
        let only = tsharkOnly.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: ", ")
        return "\(corpus): ours \(ours), tshark \(tshark), matched \(matched), unpaired here \(unpairedHere) "
            + "\(unpairedHereFrames), unpaired replies tshark omits \(unpairedRepliesTsharkOmits), "
            + "tshark only [\(only)], tshark continuation PDUs \(continuationPDUs), disagreements \(disagreements.count)"
    }
}
