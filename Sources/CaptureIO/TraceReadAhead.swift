#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a trace's batches on a thread of its own, ahead of the consumer, so that
/// reading (for zstd input: decompressing a single frame, which nothing else can
/// split) overlaps with whatever the consumer does with the previous batches.
///
/// `nextBatch(into:)` keeps `TraceReader.nextBatch`'s contract: the same batches
/// in the same order, packets before a fault delivered first, the fault thrown on
/// the following call (and again on every later one), 0 at the end. Only whole
/// batches cross threads, through two bounded queues (filled, and free for reuse).
///
/// Window pins: besides the consumer's own batches, up to `depth + 1` batches sit
/// with the reading thread (queued or being filled), each pinning at most one zstd
/// window, so the reader's ring needs `depth + 1` windows more than the consumer
/// holds (`windowMargin`).
public final class TraceReadAhead: @unchecked Sendable {
    /// One batch as the reading thread left it.
    private struct Filled {
        var batch: PacketBatch
        var count: Int
        var error: CaptureError?
        var statistics: ReaderStatistics
        var path: String?
    }

    private let reader: TraceReader
    private let maxPackets: Int
    private let lock = ConditionLock()
    // Guarded by `lock`.
    private var filled: [Filled] = []
    private var free: [PacketBatch] = []
    private var stopping = false
    private var thread: pthread_t?

    // The consumer's side (one thread).
    @exclusivity(unchecked) private var ended: Filled?
    /// Reader statistics as of the last batch handed out.
    @exclusivity(unchecked) public private(set) var statistics = ReaderStatistics()
    /// The file the last batch handed out came from.
    @exclusivity(unchecked) public private(set) var currentPath: String?

    /// Extra zstd windows a reader needs for the batches the reading thread holds.
    public static func windowMargin(depth: Int) -> Int { max(1, depth) + 1 }

    /// Starts the reading thread. The thread owns `reader` until `stop()` (or the
    /// end of the trace); the caller must not touch it meanwhile.
    /// - Parameters:
    ///   - maxPackets: packets per batch, as for `TraceReader.nextBatch`.
    ///   - depth: filled batches the thread may keep ready (at least 1).
    /// - Returns: nil if the system gives no thread (nothing has been read then).
    public init?(reader: TraceReader, maxPackets: Int, depth: Int = 2) {
        self.reader = reader
        self.maxPackets = max(1, maxPackets)
        currentPath = reader.current?.path
        statistics = reader.statistics
        for _ in 0 ... max(1, depth) { free.append(PacketBatch()) }
        let box = UnsafeSendableBox(self)
        guard let started = startThread(name: "rr-read", { box.value.readLoop() }) else { return nil }
        thread = started
    }

    deinit { stop() }

    /// Refills `batch` with the next batch of the trace (the previous contents go
    /// back to the reading thread for reuse).
    public func nextBatch(into batch: inout PacketBatch) throws(CaptureError) -> Int {
        if let ended {
            batch.release()
            if let error = ended.error { throw error }
            return 0
        }
        lock.lock()
        while filled.isEmpty { lock.wait(for: .windowReady) }
        var item = filled.removeFirst()
        var returned = PacketBatch()
        swap(&returned, &batch)
        swap(&batch, &item.batch)
        returned.release()
        free.append(returned)
        lock.broadcast(.windowFreed)
        lock.unlock()
        statistics = item.statistics
        currentPath = item.path
        if item.count == 0 {
            item.batch = PacketBatch()
            ended = item
            join()
            if let error = item.error { throw error }
        }
        return item.count
    }

    /// Stops the reading thread (the batches it read ahead are dropped) and waits for it.
    public func stop() {
        var dropped: [Filled] = []
        lock.withLock {
            stopping = true
            swap(&dropped, &filled)
            lock.broadcast(.windowFreed)
        }
        // The thread may be waiting inside the reader for a free zstd window: the
        // batches it queued pin some, so release them before waiting for it.
        for i in dropped.indices { dropped[i].batch.release() }
        join()
    }

    private func join() {
        if let thread {
            joinThread(thread)
            self.thread = nil
        }
    }

    // MARK: - The reading thread

    private func readLoop() {
        while true {
            lock.lock()
            while free.isEmpty && !stopping { lock.wait(for: .windowFreed) }
            if stopping {
                lock.unlock()
                return
            }
            var batch = free.removeLast()
            lock.unlock()

            var item = Filled(batch: PacketBatch(), count: 0, error: nil, statistics: .init(), path: nil)
            do {
                item.count = try reader.nextBatch(into: &batch, maxPackets: maxPackets)
            } catch {
                item.error = error
            }
            item.batch = batch
            item.statistics = reader.statistics
            item.path = reader.current?.path
            let last = item.count == 0
            lock.withLock {
                filled.append(item)
                lock.broadcast(.windowReady)
            }
            if last { return }
        }
    }
}

/// Hands a thread-confined object to the one thread that uses it from then on.
private struct UnsafeSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
