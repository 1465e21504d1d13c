import CPcap

/// A native twin of one specific libpcap program: what `port N` compiles to on
/// Ethernet. The default filter runs on every packet of a trace, and the
/// `bpf_filter` interpreter costs about 250 instructions per packet there;
/// this runs the same 24 instructions as straight-line Swift.
///
/// It is used only when libpcap's compiled program is instruction for
/// instruction the template below (with the same N in all four port tests), so
/// it never decides what a filter means: libpcap's compiler still does. Its
/// semantics are the interpreter's: a load past the captured bytes rejects the
/// packet. `BPFFilterPortProgramTests` checks it against `bpf_filter` on every
/// corpus and on truncated and mangled packets.
struct EthernetPortProgram: Equatable {
    /// The port the program accepts as source or destination (TCP, UDP, SCTP).
    let port: UInt16

    /// `(code, jt, jf, k)` of `port N` on DLT_EN10MB as libpcap 1.10 optimises it;
    /// `nil` marks the port constant, `accepted` the accept return value.
    private static let template: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32?)] = [
        (0x28, 0, 0, 12),        // ldh [12]               ethertype
        (0x15, 0, 8, 0x86dd),    // jeq IPv6
        (0x30, 0, 0, 20),        // ldb [20]               IPv6 next header
        (0x15, 2, 0, 0x84),      // jeq SCTP
        (0x15, 1, 0, 6),         // jeq TCP
        (0x15, 0, 17, 0x11),     // jeq UDP
        (0x28, 0, 0, 54),        // ldh [54]               source port
        (0x15, 14, 0, nil),      // jeq N -> accept
        (0x28, 0, 0, 56),        // ldh [56]               destination port
        (0x15, 12, 13, nil),     // jeq N -> accept : reject
        (0x15, 0, 12, 0x800),    // jeq IPv4
        (0x30, 0, 0, 23),        // ldb [23]               protocol
        (0x15, 2, 0, 0x84),      // jeq SCTP
        (0x15, 1, 0, 6),         // jeq TCP
        (0x15, 0, 8, 0x11),      // jeq UDP
        (0x28, 0, 0, 20),        // ldh [20]               flags + fragment offset
        (0x45, 6, 0, 0x1fff),    // jset offset -> reject
        (0xb1, 0, 0, 14),        // ldxb 4*([14]&0xf)      IP header length
        (0x48, 0, 0, 14),        // ldh [x+14]             source port
        (0x15, 2, 0, nil),       // jeq N -> accept
        (0x48, 0, 0, 16),        // ldh [x+16]             destination port
        (0x15, 0, 1, nil),       // jeq N -> accept : reject
        (0x06, 0, 0, 0),         // ret accept (k checked nonzero separately)
        (0x06, 0, 0, 0),         // ret 0
    ]

    /// The native program for `program`, or nil when it is not exactly the template.
    init?(_ program: bpf_program) {
        guard Int(program.bf_len) == Self.template.count, let insns = program.bf_insns else { return nil }
        var port: UInt32? = nil
        for (index, expected) in Self.template.enumerated() {
            let insn = insns[index]
            guard insn.code == expected.code, insn.jt == expected.jt, insn.jf == expected.jf else { return nil }
            switch index {
            case 22: guard insn.k != 0 else { return nil }
            case 23: guard insn.k == 0 else { return nil }
            default:
                if let k = expected.k {
                    guard insn.k == k else { return nil }
                } else {
                    guard insn.k <= UInt32(UInt16.max), port == nil || port == insn.k else { return nil }
                    port = insn.k
                }
            }
        }
        guard let port else { return nil }
        self.port = UInt16(port)
    }

    /// The template's verdict on one packet's captured bytes.
    @inline(__always)
    func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        guard count >= 14, let base = bytes.baseAddress else { return false }
        @inline(__always) func half(_ offset: Int) -> UInt16? {
            offset + 2 <= count ? UInt16(bigEndian: (base + offset).loadUnaligned(as: UInt16.self)) : nil
        }
        @inline(__always) func isPortProtocol(_ p: UInt8) -> Bool { p == 0x84 || p == 6 || p == 0x11 }

        let etherType = UInt16(bigEndian: (base + 12).loadUnaligned(as: UInt16.self))
        if etherType == 0x86dd {
            guard count > 20, isPortProtocol(bytes[20]) else { return false }
            guard let source = half(54) else { return false }
            if source == port { return true }
            return half(56) == port
        }
        guard etherType == 0x800 else { return false }
        guard count > 23, isPortProtocol(bytes[23]) else { return false }
        guard let fragment = half(20), fragment & 0x1fff == 0 else { return false }
        let headerLength = Int(bytes[14] & 0x0f) * 4
        guard let source = half(headerLength + 14) else { return false }
        if source == port { return true }
        return half(headerLength + 16) == port
    }
}
