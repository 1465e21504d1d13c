/// Iteration order of the reference's script tables where it shows in output
/// (SEMANTICS-CONN §2.8, §4.4):
/// * conn.log service = the *first* element of `c$service` in hash order;
/// * a DUMP reply's `pm_mappings` entries are visited in hash order of their index,
///   which decides the name order inside combined `RPC_server_map` values.
///
/// Both are fresh 17-bucket tables: iteration = bucket 0…16, each chain in insertion
/// order. The buckets below are `H3(key) % 17` under the golden runs' seed (test vectors of
/// the spec). TODO(h-diff): replace the fallbacks by the `HashOrder` model once merged —
/// it covers any key and the resize that starts at 51 entries.
enum ScriptTableOrder {
    /// Buckets of the six portmapper service names.
    static let serviceBuckets: [String: Int] = [
        "pm_callit": 2, "pm_dump": 4, "pm_null": 11, "pm_set": 11, "pm_getport": 12, "pm_unset": 16,
    ]

    /// Buckets of table indices 1…16 (the count key hashed as 4 little-endian bytes).
    static let indexBuckets: [Int] = [12, 5, 14, 1, 8, 2, 8, 11, 15, 3, 7, 4, 13, 13, 3, 0]

    /// The element conn.log shows for a service set given in insertion order.
    /// Names without a known bucket (never raised by the loaded scripts) sort last.
    static func firstService(_ insertionOrder: [String]) -> String? {
        var best: (bucket: Int, position: Int, name: String)?
        for (position, name) in insertionOrder.enumerated() {
            let bucket = serviceBuckets[name] ?? Int.max
            if best == nil || (bucket, position) < (best!.bucket, best!.position) {
                best = (bucket, position, name)
            }
        }
        return best?.name
    }

    /// Zero-based positions of a `count`-entry DUMP table in visit order.
    /// Indices above 16 have no known bucket yet and follow in index order.
    static func dumpVisitOrder(count: Int) -> [Int] {
        let known = min(count, indexBuckets.count)
        var order = (0..<known).sorted { (indexBuckets[$0], $0) < (indexBuckets[$1], $1) }
        if count > known { order.append(contentsOf: known..<count) }
        return order
    }
}
