/// What a shard thread hands the merge for one dispatch batch. Pooled per shard.
final class ShardOutput: @unchecked Sendable {
    @exclusivity(unchecked) var input: DispatchBatch?
    let records = RecordBatch()
    /// The shard's flush, after the trace's last batch.
    let flush = RecordBatch()
}

/// The queues of a threaded run: dispatch batches go from the dispatcher thread to
/// every shard thread; each shard thread's outputs go to the merge (the calling
/// thread), which recycles both. Every queue holds at most `inFlight` batches, so
/// memory is bounded by configuration and a fast stage waits for a slow one.
final class ShardPipeline: @unchecked Sendable {
    let freeInputs: HandoffQueue<DispatchBatch>
    let inputs: [HandoffQueue<DispatchBatch>]
    let freeOutputs: [HandoffQueue<ShardOutput>]
    let outputs: [HandoffQueue<ShardOutput>]
    /// Raised by the merge at a divergence: the dispatcher stops reading and the
    /// shards stop working; the batches still under way drain through unprocessed.
    let stop = StopFlag()

    init(shardCount: Int, inFlight: Int) {
        freeInputs = HandoffQueue(capacity: inFlight)
        for _ in 0 ..< inFlight { freeInputs.put(DispatchBatch()) }
        inputs = (0 ..< shardCount).map { _ in HandoffQueue(capacity: inFlight) }
        outputs = (0 ..< shardCount).map { _ in HandoffQueue(capacity: inFlight) }
        freeOutputs = (0 ..< shardCount).map { _ in
            let pool = HandoffQueue<ShardOutput>(capacity: inFlight)
            for _ in 0 ..< inFlight { pool.put(ShardOutput()) }
            return pool
        }
    }

    /// The dispatcher thread's loop.
    func dispatch(_ dispatcher: Dispatcher) {
        while true {
            let batch = freeInputs.take()
            if stop.isRaised { dispatcher.stop(batch) } else { dispatcher.fill(batch) }
            // Read before handing over: the merge recycles the batch once all shards are done.
            let isLast = batch.isLast
            for queue in inputs { queue.put(batch) }
            if isLast { return }
        }
    }

    /// A shard thread's loop: its records for every batch, and its flush after the last.
    func work(_ shard: Shard) {
        let s = Int(shard.index)
        while true {
            let input = inputs[s].take()
            let isLast = input.isLast
            let output = freeOutputs[s].take()
            output.input = input
            output.records.reset()
            output.flush.reset()
            if !input.isStop && !stop.isRaised {
                shard.run(input, into: output.records)
                if isLast { shard.finish(sequence: input.flushSequence, networkTime: input.endNetworkTime, into: output.flush) }
            }
            // The input may be recycled as soon as this output is out.
            outputs[s].put(output)
            if isLast { return }
        }
    }
}

extension Engine {
    /// Every shard on its own thread, the dispatcher on another, the merge (with
    /// several shards) and the policy on one each; the calling thread writes the
    /// logs (sinks are called there only), from the sink calls the policy thread
    /// hands over per batch.
    func runOnThreads<Sink: EngineSink>(
        _ dispatcher: Dispatcher, shardCount: Int, stage: PolicyStage<DeferredSink>, deferred: DeferredSink,
        sink: Sink
    ) -> ShardedOutcome {
        let shards = makeShards(shardCount)
        let inFlight = max(1, configuration.batchesInFlight)
        let pipeline = ShardPipeline(shardCount: shardCount, inFlight: inFlight)
        let written = HandoffQueue<SinkCallBatch>(capacity: inFlight + 1)
        let blank = HandoffQueue<SinkCallBatch>(capacity: inFlight + 1)
        for _ in 0 ..< inFlight { blank.put(SinkCallBatch()) }
        let consumer = PolicyThreadState()

        var threads: [WorkerThread] = []
        for shard in shards {
            let box = UncheckedBox(shard)
            guard let thread = WorkerThread(name: "rr-shard-\(shard.index)", { pipeline.work(box.value) }) else { break }
            threads.append(thread)
        }
        let dispatcherBox = UncheckedBox(dispatcher)
        let started = threads.count == shardCount
        if started, let thread = WorkerThread(name: "rr-dispatch", { pipeline.dispatch(dispatcherBox.value) }) {
            threads.append(thread)
        } else {
            // The system gave no more threads: stop the started shards (nothing has
            // been read yet) and run the shards in turn on this thread instead.
            stopUnstarted(pipeline, shardThreads: Array(threads.prefix(shardCount)))
            return runInterleaved(dispatcher, shardCount: shardCount, stage: stage,
                                  afterBatch: { deferred.current.replay(into: sink) })
        }
        // With several shards the merge gets a thread of its own, ahead of the policy
        // (the one stage that cannot be sharded); one shard's merge is a pass-through.
        let placed = PlacedBatchQueues(inFlight: inFlight)
        let merging = UncheckedBox((self, pipeline, consumer, placed))
        let mergeThread = shardCount < 2 ? nil : WorkerThread(name: "rr-merge", {
            let (engine, pipeline, consumer, placed) = merging.value
            engine.mergeOnThread(pipeline, shardCount: shardCount, state: consumer, queues: placed)
        })
        if let mergeThread { threads.append(mergeThread) }
        let feed: PolicyFeed = mergeThread == nil ? .mergesItself(shardCount: shardCount) : .mergeThread(placed)
        let engineBox = UncheckedBox((self, stage, deferred))
        guard let policyThread = WorkerThread(name: "rr-policy", {
            let (engine, stage, deferred) = engineBox.value
            engine.runPolicy(feed, pipeline: pipeline, stage: stage, state: consumer) { isLast in
                // Hand the batch's sink calls to the calling thread; continue in a blank batch.
                let full = deferred.current
                full.isEnd = isLast
                written.put(full)
                if !isLast { deferred.current = blank.take() }
            }
        }) else {
            // No thread for it: run the policy here, writing each batch's sink calls at once.
            runPolicy(feed, pipeline: pipeline, stage: stage, state: consumer) { _ in
                deferred.current.replay(into: sink)
            }
            for thread in threads { thread.join() }
            return consumer.outcome(self, dispatcher: dispatcher, shards: shards, stage: stage)
        }
        threads.append(policyThread)

        while true {
            let batch = written.take()
            let isEnd = batch.isEnd
            batch.replay(into: sink)
            batch.isEnd = false
            if isEnd { break }
            blank.put(batch)
        }
        for thread in threads { thread.join() }
        deferred.current = SinkCallBatch()
        return consumer.outcome(self, dispatcher: dispatcher, shards: shards, stage: stage)
    }

    /// Started shard threads are told to stop before anything was read.
    private func stopUnstarted(_ pipeline: ShardPipeline, shardThreads: [WorkerThread]) {
        let stopBatch = DispatchBatch()
        stopBatch.isLast = true
        stopBatch.isStop = true
        for s in 0 ..< shardThreads.count { pipeline.inputs[s].put(stopBatch) }
        for thread in shardThreads { thread.join() }
    }
}

/// What the merge thread learned, read by the calling thread after joining it.
final class PolicyThreadState: @unchecked Sendable {
    var divergence: SequentialFallback?
    var failure: DispatchFailure?

    func outcome<Sink: EngineSink>(
        _ engine: Engine, dispatcher: Dispatcher, shards: [Shard], stage: PolicyStage<Sink>
    ) -> ShardedOutcome {
        if let divergence { return .diverged(divergence) }
        return .finished(engine.report(dispatcher, shards: shards, stage: stage, failure: failure))
    }
}

/// Hands a thread-confined object to the one thread that will use it from then on.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
