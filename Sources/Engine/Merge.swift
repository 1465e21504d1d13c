/// A record of a shard batch, by position (the batch owns the RPC events it names).
struct MergedRecord {
    var batch: Int
    var record: Int
}

/// Combines the shards' batches for one packet into one stream ordered by
/// `RecordTag`, ties broken by shard index (deterministic whatever the timing).
///
/// Each batch is already in tag order, so this is a k-way merge. With one shard it
/// is the identity; the policy stage then sees exactly the sequential order.
struct Merge {
    private(set) var order: [MergedRecord] = []

    /// Orders the records of `batches` (one per shard, same packet).
    mutating func merge(_ batches: [RecordBatch]) {
        order.removeAll(keepingCapacity: true)
        if batches.count == 1 {
            for index in batches[0].records.indices { order.append(MergedRecord(batch: 0, record: index)) }
            return
        }
        var cursors = [Int](repeating: 0, count: batches.count)
        while true {
            var best: Int? = nil
            for shard in batches.indices where cursors[shard] < batches[shard].records.count {
                guard let current = best else { best = shard; continue }
                if batches[shard].records[cursors[shard]].tag < batches[current].records[cursors[current]].tag {
                    best = shard
                }
            }
            guard let shard = best else { return }
            order.append(MergedRecord(batch: shard, record: cursors[shard]))
            cursors[shard] += 1
        }
    }
}
