import HashOrder

/// Iteration order of the reference's script tables where it shows in output
/// (SEMANTICS-CONN §2.8, §4.4), via the `HashOrder` model of its hash tables:
/// * conn.log service = the *first* element of `c$service` in hash order
///   (a fresh table per connection, names added in event order);
/// * a DUMP reply's `pm_mappings` entries are visited in hash order of their 1-based
///   index, which decides the name order inside combined `RPC_server_map` values.
enum ScriptTableOrder {
    /// The element conn.log shows for a service set given in insertion order.
    static func firstService(_ insertionOrder: [String]) -> String? {
        guard insertionOrder.count > 1 else { return insertionOrder.first }
        var set = ReferenceSet<String>()
        for name in insertionOrder { _ = set.insert(name) }
        return set.first?.key
    }

    /// Zero-based positions of a `count`-entry DUMP table in visit order.
    static func dumpVisitOrder(count: Int) -> [Int] {
        guard count > 1 else { return Array(0..<count) }
        var table = ReferenceSet<UInt32>()
        for index in 1...count { _ = table.insert(UInt32(index)) }
        return table.keys.map { Int($0) - 1 }
    }
}
