/// A run of consecutive packets whose bytes stay valid for as long as the batch
/// is kept, independently of the reader moving on (see `CaptureReader.nextBatch`).
///
/// Lifetime: packet bytes point into the mapped file, into decompression windows,
/// or (for the rare record that straddled two windows) into memory owned by the
/// batch. The batch holds a reference on every window it points into; the reader
/// cannot recycle those windows until the batch lets go. It lets go when
/// - `release()` is called (for all copies of the batch: they share the references), or
/// - the last copy is dropped, or
/// - it is passed back to `nextBatch(into:)` while no other copy exists.
/// Copies may be handed to other threads; the bytes are never written while any
/// copy lives. Each batch pins at most one window. Holding every window in
/// unreleased batches makes the reader wait (back-pressure) until some other
/// thread releases one: a thread that keeps N batches itself while reading needs
/// `windowCount >= N + 2`.
public struct PacketBatch: @unchecked Sendable {
    /// The packets, in stream order.
    public internal(set) var packets: [CapturedPacket] = []
    var keeper = BatchKeeper()

    public init() {}

    public var count: Int { packets.count }
    public var isEmpty: Bool { packets.isEmpty }

    /// Drops the batch's packets and its references on windows (for every copy).
    public mutating func release() {
        packets.removeAll(keepingCapacity: true)
        keeper.reset()
    }
}

/// Owns what a batch's packets point into: window references, the mapping, and
/// copies of straddling records.
final class BatchKeeper: @unchecked Sendable {
    private(set) var ring: ZstdWindowRing?
    private(set) var windows: [Int] = []
    var file: MappedFile?
    /// Copies of records that straddled windows: fixed chunks, never moved once
    /// written, reused after `reset`.
    private var chunks: [(base: UnsafeMutableRawPointer, capacity: Int)] = []
    private var chunk = 0
    private var used = 0
    private let lock = ConditionLock()

    deinit {
        reset()
        for c in chunks { c.base.deallocate() }
    }

    var lastWindow: Int? { windows.last }

    /// Adds a reference on `window` (once per window).
    func hold(_ window: Int, of ring: ZstdWindowRing) {
        if self.ring !== ring { self.ring = ring }
        if windows.last == window || windows.contains(window) { return }
        ring.retain(window)
        windows.append(window)
    }

    /// Copies `bytes` into batch-owned memory.
    func keepCopy(of bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let n = bytes.count
        while chunk < chunks.count && chunks[chunk].capacity - used < n {
            chunk += 1
            used = 0
        }
        if chunk == chunks.count {
            let capacity = max(64 << 10, n)
            chunks.append((.allocate(byteCount: capacity, alignment: 16), capacity))
            used = 0
        }
        let destination = chunks[chunk].base + used
        if let source = bytes.baseAddress { destination.copyMemory(from: source, byteCount: n) }
        used += n
        return UnsafeRawBufferPointer(start: destination, count: n)
    }

    /// Releases every window reference and forgets the copies (memory is kept for reuse).
    func reset() {
        lock.withLock {
            if let ring { for w in windows { ring.release(w) } }
            windows.removeAll(keepingCapacity: true)
            file = nil
            chunk = 0
            used = 0
        }
    }
}
