import PacketDecoding

// TODO(merge h-diff): HashOrder provides the reference's H3 hash and dictionary
// iteration-order model (SEMANTICS-CONN §2.8). Until it is merged this stand-in
// iterates in insertion order; every table operation that the model needs
// (insert, remove, iterate) already goes through here.

/// The iteration order of one of the reference's connection dictionaries.
struct ReferenceOrder: Sendable {
    private struct Node: Sendable {
        var key: FlowKey
        var prev: Int32
        var next: Int32
    }
    private var nodes: [Node] = []
    private var free: [Int32] = []
    private var index: [FlowKey: Int32] = [:]
    private var head: Int32 = -1
    private var tail: Int32 = -1

    var count: Int { index.count }

    /// Inserts a key at the end of the order; an existing key keeps its place
    /// (the reference replaces the value in place).
    mutating func insert(_ key: FlowKey) {
        guard index[key] == nil else { return }
        let node = Node(key: key, prev: tail, next: -1)
        let n: Int32
        if let reused = free.popLast() {
            n = reused
            nodes[Int(n)] = node
        } else {
            n = Int32(nodes.count)
            nodes.append(node)
        }
        if tail >= 0 { nodes[Int(tail)].next = n } else { head = n }
        tail = n
        index[key] = n
    }

    mutating func remove(_ key: FlowKey) {
        guard let n = index.removeValue(forKey: key) else { return }
        let node = nodes[Int(n)]
        if node.prev >= 0 { nodes[Int(node.prev)].next = node.next } else { head = node.next }
        if node.next >= 0 { nodes[Int(node.next)].prev = node.prev } else { tail = node.prev }
        free.append(n)
    }

    /// The keys in the reference's iteration order.
    func orderedKeys() -> [FlowKey] {
        var result: [FlowKey] = []
        result.reserveCapacity(index.count)
        var n = head
        while n >= 0 {
            result.append(nodes[Int(n)].key)
            n = nodes[Int(n)].next
        }
        return result
    }
}
