#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fixed pool of decompression windows of one zstd reader.
///
/// Memory is `count * size` bytes, allocated once, whatever the file claims.
/// A window is in exactly one of three states:
/// - free: nobody references it; a decoder may take it;
/// - producer-owned: a decoder is filling it, or it is filled and waiting to be
///   delivered in stream order;
/// - consumer-held: `references > 0`. The reader's cursor holds one reference
///   while it walks the window; each `PacketBatch` with packets in it holds one.
/// A window becomes free again only when its last reference is released, so a
/// later sharded engine can keep windows across threads for as long as it needs.
///
/// All state is guarded by `lock`, which the parallel decoder shares.
@usableFromInline
final class ZstdWindowRing: @unchecked Sendable {
    let size: Int
    let count: Int
    let lock = ConditionLock()
    private let memory: UnsafeMutableRawPointer

    // Guarded by `lock`.
    private(set) var references: [Int]
    private(set) var producerOwned: [Bool]
    /// The decoding thread (lane) that filled each window last.
    private var lastFilledBy: [Int]
    /// Threads waiting for `.windowFreed`; releases broadcast only when there are some.
    var freedWaiters = 0

    init(size: Int, count: Int) {
        self.size = max(size, 1)
        self.count = max(count, 1)
        let bytes = self.size * self.count
        if bytes >= Self.hugePage {
            // Huge pages: a ring of 16 MiB would otherwise take 4096 page faults
            // (each zeroing a 4 KiB page) on every reader that fills all of it.
            memory = .allocate(byteCount: bytes, alignment: Self.hugePage)
            _ = madvise(memory, bytes, MADV_HUGEPAGE)
        } else {
            memory = .allocate(byteCount: bytes, alignment: 64)
        }
        references = Array(repeating: 0, count: self.count)
        producerOwned = Array(repeating: false, count: self.count)
        lastFilledBy = Array(repeating: 0, count: self.count)
    }

    deinit { memory.deallocate() }

    private static var hugePage: Int { 2 << 20 }

    func base(_ window: Int) -> UnsafeMutableRawPointer { memory + window * size }

    // MARK: - Called with `lock` held

    var freeCount: Int {
        var n = 0
        for i in 0..<count where references[i] == 0 && !producerOwned[i] { n += 1 }
        return n
    }

    /// Windows referenced by the consumer (cursor or batches).
    var consumerHeldCount: Int { references.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Takes a free window for a decoder to fill; nil when none is free.
    ///
    /// Prefers a window that `decoder` filled last time: its lines are then most
    /// likely still in that thread's core cache, owned by it, instead of being
    /// pulled over from the core that decoded into it before.
    func takeFreeLocked(for decoder: Int = 0) -> Int? {
        var any: Int? = nil
        for i in 0..<count where references[i] == 0 && !producerOwned[i] {
            if lastFilledBy[i] == decoder {
                any = i
                break
            }
            if any == nil { any = i }
        }
        guard let w = any else { return nil }
        producerOwned[w] = true
        lastFilledBy[w] = decoder
        return w
    }

    /// Gives a filled window to the consumer: it now holds the only reference.
    func deliverLocked(_ window: Int) {
        producerOwned[window] = false
        references[window] = 1
    }

    /// Returns a window the decoder took but did not fill (nothing to deliver).
    func returnUnusedLocked(_ window: Int) {
        producerOwned[window] = false
    }

    /// Waits (lock held) until a window is freed or the head frame changes.
    func waitForFreedLocked() {
        freedWaiters += 1
        lock.wait(for: .windowFreed)
        freedWaiters -= 1
    }

    /// Wakes the decoders waiting for a window, if any (lock held).
    func wakeFreedWaitersLocked() {
        if freedWaiters > 0 { lock.broadcast(.windowFreed) }
    }

    // MARK: - Self-locking

    /// Takes a free window, waiting for a release when none is free.
    func takeFreeWaiting() -> Int {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let w = takeFreeLocked() { return w }
            waitForFreedLocked()
        }
    }

    func deliver(_ window: Int) { lock.withLock { deliverLocked(window) } }

    func returnUnused(_ window: Int) {
        lock.withLock {
            returnUnusedLocked(window)
            wakeFreedWaitersLocked()
        }
    }

    /// Adds a reference (a batch keeping the window's packets alive).
    func retain(_ window: Int) {
        lock.withLock { references[window] += 1 }
    }

    /// Drops a reference; the window is free for reuse when the last one goes.
    func release(_ window: Int) {
        lock.withLock {
            references[window] -= 1
            precondition(references[window] >= 0, "window released more often than retained")
            if references[window] == 0 { wakeFreedWaitersLocked() }
        }
    }
}
