/// One dispatch batch as the merge placed it, for the policy. Pooled; confined to
/// one thread at a time (handed over through `PlacedBatchQueues`).
final class PlacedBatch: @unchecked Sendable {
    /// Every shard's output for the batch (they own the records `order` points at).
    @exclusivity(unchecked) var taken: [ShardOutput] = []
    /// The shards' record batches, in shard order (`MergedRecord.batch` indexes them).
    @exclusivity(unchecked) var records: [RecordBatch] = []
    /// The placed packets' records, packet after packet.
    @exclusivity(unchecked) var order: [MergedRecord] = []
    /// For each placed packet, where its records end in `order`. A divergence
    /// leaves the batch's later packets unplaced.
    @exclusivity(unchecked) var ends: [Int] = []
    /// The shards' flush records and their placement (the trace's last batch only).
    @exclusivity(unchecked) var flushRecords: [RecordBatch] = []
    @exclusivity(unchecked) var flushOrder: [MergedRecord] = []
    @exclusivity(unchecked) var hasFlush = false
    @exclusivity(unchecked) var isLast = false

    var input: DispatchBatch { taken[0].input! }

    func reset() {
        taken.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        flushRecords.removeAll(keepingCapacity: true)
        flushOrder.removeAll(keepingCapacity: true)
        hasFlush = false
        isLast = false
    }
}

/// The merge thread's placed batches on their way to the policy thread, and the
/// empty ones on their way back (both bounded: a fast merge waits for the policy).
final class PlacedBatchQueues: @unchecked Sendable {
    let placed: HandoffQueue<PlacedBatch>
    let free: HandoffQueue<PlacedBatch>

    init(inFlight: Int) {
        placed = HandoffQueue(capacity: inFlight)
        free = HandoffQueue(capacity: inFlight)
        for _ in 0 ..< inFlight { free.put(PlacedBatch()) }
    }
}

/// Where the policy stage gets its placed batches.
enum PolicyFeed: @unchecked Sendable {
    /// The policy's thread merges each batch itself first (one shard, or no thread for the merge).
    case mergesItself(shardCount: Int)
    /// A merge thread places batches ahead of it.
    case mergeThread(PlacedBatchQueues)
}

extension Engine {
    /// The merge thread's loop: every dispatch batch's shard outputs in, placed batches out.
    func mergeOnThread(_ pipeline: ShardPipeline, shardCount: Int, state: PolicyThreadState,
                       queues: PlacedBatchQueues) {
        var merge = Merge(shardCount: shardCount, configuration: configuration.effectiveConnections)
        while true {
            let job = queues.free.take()
            place(job, pipeline: pipeline, merge: &merge, state: state)
            let isLast = job.isLast
            queues.placed.put(job)
            if isLast { return }
        }
    }

    /// The policy stage's loop; `afterBatch` runs once each dispatch batch is done
    /// (with whether it was the last).
    func runPolicy(_ feed: PolicyFeed, pipeline: ShardPipeline, stage: PolicyStage<DeferredSink>,
                   state: PolicyThreadState, afterBatch: (_ isLast: Bool) -> Void) {
        switch feed {
        case .mergesItself(let shardCount):
            var merge = Merge(shardCount: shardCount, configuration: configuration.effectiveConnections)
            let job = PlacedBatch()
            while true {
                place(job, pipeline: pipeline, merge: &merge, state: state)
                let isLast = job.isLast
                consume(job, pipeline: pipeline, stage: stage)
                afterBatch(isLast)
                if isLast { return }
            }
        case .mergeThread(let queues):
            while true {
                let job = queues.placed.take()
                let isLast = job.isLast
                consume(job, pipeline: pipeline, stage: stage)
                queues.free.put(job)
                afterBatch(isLast)
                if isLast { return }
            }
        }
    }

    /// Takes every shard's output for the next dispatch batch and places its
    /// records (and the flush after the last batch) into `job`. After a divergence
    /// it places nothing more: the batches still under way only pass through.
    private func place(_ job: PlacedBatch, pipeline: ShardPipeline, merge: inout Merge, state: PolicyThreadState) {
        job.reset()
        for queue in pipeline.outputs { job.taken.append(queue.take()) }
        let input = job.input
        job.isLast = input.isLast
        guard state.divergence == nil else { return }
        for output in job.taken { job.records.append(output.records) }
        merge.beginBatches()
        for i in input.packets.indices {
            let packet = input.packets[i]
            if let reason = merge.placePacket(packet, batches: job.records) {
                state.divergence = SequentialFallback(packetSequence: packet.sequence, reason: reason)
                pipeline.stop.raise()
                return
            }
            job.order.append(contentsOf: merge.order)
            job.ends.append(job.order.count)
        }
        if input.isLast {
            for output in job.taken { job.flushRecords.append(output.flush) }
            merge.placeFlush(batches: job.flushRecords)
            job.flushOrder.append(contentsOf: merge.order)
            job.hasFlush = true
            state.failure = input.failure
        }
    }

    /// Hands a placed batch to the policy, packet by packet, then recycles the
    /// shard outputs and the dispatch batch it held.
    private func consume(_ job: PlacedBatch, pipeline: ShardPipeline, stage: PolicyStage<DeferredSink>) {
        let input = job.input
        var start = 0
        for (i, end) in job.ends.enumerated() {
            stage.consume(job.order[start ..< end], of: job.records, time: input.packets[i].networkTime)
            start = end
        }
        if job.hasFlush {
            stage.consume(job.flushOrder[...], of: job.flushRecords, time: input.endNetworkTime)
            stage.finish(time: input.endNetworkTime)
        }
        for (s, output) in job.taken.enumerated() {
            output.input = nil
            pipeline.freeOutputs[s].put(output)
        }
        input.recycle()
        pipeline.freeInputs.put(input)
        job.reset()
    }
}
