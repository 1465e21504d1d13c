import PacketDecoding

/// Bookkeeping for an engine that spreads flows over several trackers and must
/// rebuild, from their outputs, the orders the reference takes from its global
/// structures (SEMANTICS-CONN §2.6–§2.8): the one timer queue, the compressor's
/// one pending list and the TCP/UDP connection dictionaries. A single tracker
/// already follows those orders itself, so notes are off by default
/// (`ConnectionConfiguration.reportsOrderNotes`).
///
/// Notes are not events: they never produce output by themselves. Each sits at a
/// position among the records of the same call (`OrderNoteEntry.position`).
public enum OrderNote: Sendable, Hashable {
    /// A timer was scheduled. `id` is the tracker's own creation counter; timers
    /// with equal times fire in creation order, so an engine maps ids to one
    /// global creation order as it merges trackers' outputs.
    case timerScheduled(id: UInt64)
    /// A timer popped and fired (counts against `max_timer_expires`; at the end of
    /// the trace: a timer that acts). The records it caused follow, up to the next
    /// group-starting note (`startsGroup`).
    case timerFired(id: UInt64, time: Double)
    /// A cancelled timer popped: no effect, no records.
    case timerDiscarded(id: UInt64)
    /// The compressor appended an entry to its pending list (a new or a
    /// retransmitted SYN), created by packet `packetSequence` with SYN time `time`.
    case pendingAppended(packetSequence: UInt64, time: Double)
    /// The compressor's expiry moved past one list entry (reported or already
    /// invalid); the entry's records follow.
    case pendingPassed(packetSequence: UInt64)
    /// A key entered the compressor's TCP dictionary or the UDP dictionary
    /// (`key.transport` says which).
    case tableInserted(FlowKey)
    /// A key left its dictionary.
    case tableRemoved(FlowKey)
    /// End of trace: the connection still in its dictionary under this key is
    /// removed now; its records follow.
    case flushing(FlowKey)

    /// Whether the note opens a group of records that an engine places as a unit.
    public var startsGroup: Bool {
        switch self {
        case .timerFired, .timerDiscarded, .pendingPassed, .flushing: return true
        case .timerScheduled, .pendingAppended, .tableInserted, .tableRemoved: return false
        }
    }
}

/// A note and the number of records that precede it in the same output buffer.
public struct OrderNoteEntry: Sendable, Hashable {
    public var position: Int
    public var note: OrderNote
}

extension TrackerContext {
    /// Appends an order note when the configuration asks for them.
    @inline(__always)
    func note(_ note: OrderNote) {
        if config.reportsOrderNotes { out.appendNote(note) }
    }
}
