import HashOrder
import PacketDecoding

/// A connection key as the reference's dictionaries hash it: the 12 canonical
/// key bytes (SEMANTICS-CONN §2.1).
struct ReferenceConnectionKey: ReferenceHashKey, Sendable {
    var flow: FlowKey

    func withReferenceHashBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try flow.withKeyBytes(body)
    }

    /// The flow key's cheap seeded hash (not SipHash) for the model's index
    /// table: every connection insert and removal looks it up.
    func _rawHashValue(seed: Int) -> Int { flow._rawHashValue(seed: seed) }
}

/// The iteration order of one of the reference's connection dictionaries
/// (the compressor's TCP table or the UDP table), §2.8. Public so that a sharded
/// engine can model the reference's one global dictionary from the trackers'
/// `OrderNote.tableInserted`/`.tableRemoved` notes.
///
/// Lookups go through the tracker's own tables; this model only replays the
/// reference's inserts and removals so that the end-of-trace flush can visit
/// connections in the reference's order. Value changes that the reference makes
/// in place (through a pointer) are not replayed: they do not touch its table.
public struct ReferenceOrder: Sendable {
    private var table = ReferenceSet<ReferenceConnectionKey>()

    public init() {}

    public var count: Int { table.count }

    /// The reference's `Insert` (an existing key keeps its place but still
    /// advances an incremental resize).
    public mutating func insert(_ key: FlowKey) {
        table.insert(ReferenceConnectionKey(flow: key))
    }

    public mutating func remove(_ key: FlowKey) {
        table.removeValue(forKey: ReferenceConnectionKey(flow: key))
    }

    /// The keys in the reference's iteration order.
    public func orderedKeys() -> [FlowKey] {
        table.keys.map(\.flow)
    }
}
