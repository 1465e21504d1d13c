/// The IP-level numbers intake carries from step 6 to step 7.
struct IntakeDatagram {
    /// Captured IP bytes (or the rebuilt datagram).
    var bytes: UnsafeRawBufferPointer
    /// `ip_len`.
    var totalLength: Int
    /// `hl`.
    var headerLength: Int
    /// `caplen` before the IP header is taken off.
    var capturedLength: Int
    var isReassembled: Bool
}

/// What the fragment step decided.
enum FragmentStepOutcome {
    /// Continue at step 7 with this datagram (the fragment itself, or the rebuilt whole).
    case proceed(IntakeDatagram)
    /// Intake ends here for this packet.
    case finished(PacketIntakeResult)
}

extension PacketDecoder {
    /// §1.3 step 6 / §1.5 for a packet whose MF flag or offset is set.
    func fragmentStep(
        _ fragment: IntakeDatagram, fragmentField: UInt16, source: IPv4Address, destination: IPv4Address
    ) -> FragmentStepOutcome {
        counters.fragments += 1
        guard fragment.capturedLength >= fragment.totalLength else {
            // Reassembly is doomed; a first fragment is still useful on its own.
            let weird = PacketWeird(.incompletelyCapturedFragment, .flow(source: source, destination: destination))
            weirds.append(weird)
            if fragmentField & 0x1fff != 0 {
                counters.incompleteLaterFragments += 1
                return .finished(.weird(weird))
            }
            counters.incompleteFirstFragments += 1
            return .proceed(fragment)
        }
        let key = FragmentKey(source: source, destination: destination, identification: fragment.bytes.beUInt16(at: 4))
        switch reassembler.add(fragment.bytes, totalLength: fragment.totalLength, key: key, weirds: &weirds) {
        case .held:
            counters.fragmentsHeld += 1
            return .finished(.fragmentHeld)
        case .completed(let rebuilt):
            counters.reassembledDatagrams += 1
            // The reference continues with caplen = len = the rebuilt header's ip_len.
            let totalLength = Int(rebuilt.beUInt16(at: 2))
            return .proceed(IntakeDatagram(
                bytes: rebuilt, totalLength: totalLength, headerLength: Int(rebuilt[0] & 0x0f) * 4,
                capturedLength: totalLength, isReassembled: true))
        }
    }
}
