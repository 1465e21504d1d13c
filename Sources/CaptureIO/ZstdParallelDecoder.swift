#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decompresses independent zstd frames on `threads` threads, one of which is the
/// consumer's own, and delivers their windows in stream order.
///
/// Frames are dealt round-robin (`ZstdFrameLane`): with N threads the consumer
/// decodes frames 0, N, 2N, ... itself, one window at a time when it needs the
/// next one, and N−1 worker threads decode the others ahead into free windows.
/// So exactly N threads are busy on N cores (not N workers plus a consumer that
/// competes with them for a core), half the windows (with two threads) are walked
/// by the core that just decoded them, and the consumer sleeps only while the
/// head window is being decoded by a worker *and* no window can be spared for it
/// to decode its own next frame ahead. Handoffs take the lock once per window
/// (1 MiB), and each thread is woken only by the event it waits for.
///
/// Each decoding thread also walks the classic pcap record headers of the windows
/// it decodes, while they are in its cache, and hands compact summaries to the
/// consumer with the window (`PcapRecordSummarizer`): otherwise the consumer
/// would pull one cache line per record over from the core that wrote it.
///
/// Windows come from the shared ring, so decoded-ahead data is bounded by
/// `windowCount`. Deadlock freedom: the *head* frame (the one the consumer reads)
/// may take any free window; any other frame may take one only if another stays
/// free. The consumer only ever waits for the head's windows, and the head can
/// always get a window once the consumer releases what it has read. Batches that
/// are never released would stall it: that is the documented back-pressure of
/// `nextBatch`, not something bad input can cause.
final class ZstdParallelDecoder: ZstdWindowProducer, @unchecked Sendable {
    private let ring: ZstdWindowRing
    private var lock: ConditionLock { ring.lock }
    private let file: MappedFile
    private let maxWindowLog: Int
    private let laneCount: Int

    /// Lane 0: the consumer's frames. Only the consumer's thread touches it.
    private var consumerLane: ZstdFrameLane

    // Guarded by `lock`.
    private var ready: [ZstdDecodedPiece] = []
    /// The head: the frame and window the consumer reads next.
    private var wantSequence = 0
    private var wantPiece = 0
    /// Data frames in the file, once some lane's scanner reached the end.
    private var frameCount: Int?
    private var skippableTotal = 0
    private var stopping = false
    private var pendingFault: ZstdFault?
    private var consumerWaiting = false
    /// Set once the consumer has read a classic pcap file header.
    private var recordLayout: PcapRecordLayout?

    /// Room for `summaryCapacity` record summaries per window, owned by the
    /// window's slot (it follows the window's lifecycle in the ring). A window of
    /// records shorter than 128 bytes on average is only partly summarised.
    private let summaryCapacity: Int
    private let summaryStorage: UnsafeMutablePointer<PcapRecordSummary>

    private var threads: [pthread_t] = []

    /// Nil when a zstd context or a worker thread cannot be had (the caller then
    /// decodes serially).
    init?(file: MappedFile, ring: ZstdWindowRing, threads count: Int, maxWindowLog: Int) {
        laneCount = max(count, 2)
        guard let lane = ZstdFrameLane(file: file.bytes, lane: 0, laneCount: laneCount, maxWindowLog: maxWindowLog) else {
            return nil
        }
        consumerLane = lane
        summaryCapacity = max(ring.size / 128, 16)
        summaryStorage = .allocate(capacity: summaryCapacity * ring.count)
        self.file = file
        self.ring = ring
        self.maxWindowLog = maxWindowLog
        ring.lock.lock()
        defer { ring.lock.unlock() }
        for worker in 1..<laneCount {
            guard let t = startThread(name: "rr-zstd-\(worker)", { [self] in self.work(lane: worker) }) else {
                // The lanes are fixed: a missing worker would leave its frames undecoded.
                stopping = true
                lock.broadcast(.windowFreed)
                lock.unlock()
                for t in threads { joinThread(t) }
                lock.lock()
                threads.removeAll()
                return nil
            }
            threads.append(t)
        }
    }

    deinit { summaryStorage.deallocate() }

    /// Threads decoding frames, the consumer's included.
    var threadCount: Int { threads.count + 1 }

    var skippableFrames: Int { lock.withLock { skippableTotal } }

    func shutdown() {
        lock.withLock {
            stopping = true
            lock.broadcast(.windowFreed)
        }
        for t in threads { joinThread(t) }
        threads.removeAll()
    }

    func announce(_ layout: PcapRecordLayout) {
        lock.withLock { recordLayout = layout }
    }

    private func summaries(of window: Int) -> UnsafeMutablePointer<PcapRecordSummary> {
        summaryStorage + window * summaryCapacity
    }

    // MARK: - Workers

    private func work(lane index: Int) {
        guard var lane = ZstdFrameLane(file: file.bytes, lane: index, laneCount: laneCount, maxWindowLog: maxWindowLog) else {
            lock.withLock {
                if pendingFault == nil {
                    pendingFault = ZstdFault(
                        reason: "cannot allocate a zstd decompression context", frameIndex: 0, frameOffset: 0)
                }
                lock.broadcast(.windowReady)
            }
            return
        }
        while lane.startFrameIfNeeded() {
            let sequence = lane.current!.sequence
            lock.lock()
            var window: Int? = nil
            while !stopping {
                if sequence == wantSequence || ring.freeCount >= 2, let w = ring.takeFreeLocked(for: index) {
                    window = w
                    break
                }
                ring.waitForFreedLocked()
            }
            let layout = recordLayout
            lock.unlock()
            guard let window else { return }
            let piece = lane.fillNext(
                ring.base(window), capacity: ring.size, window: window,
                layout: layout, summaries: summaries(of: window), summaryCapacity: summaryCapacity)
            lock.withLock { publishLocked(piece) }
        }
        lock.withLock { noteEndLocked(frames: lane.scanned, skippable: lane.skippableFrames) }
    }

    private func publishLocked(_ piece: ZstdDecodedPiece) {
        ready.append(piece)
        if consumerWaiting && piece.sequence == wantSequence && piece.piece == wantPiece {
            lock.broadcast(.windowReady)
        }
    }

    private func noteEndLocked(frames: Int, skippable: Int) {
        frameCount = frames
        skippableTotal = skippable
        if consumerWaiting { lock.broadcast(.windowReady) }
    }

    // MARK: - Consumer

    func nextWindow() throws(ZstdFault) -> ZstdWindow? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let pendingFault { throw pendingFault }
            if let at = ready.firstIndex(where: { $0.sequence == wantSequence && $0.piece == wantPiece }) {
                let piece = ready.remove(at: at)
                let window = piece.window
                if window.endsFrame {
                    wantSequence += 1
                    wantPiece = 0
                    // A worker waiting with one window left may now be the head.
                    ring.wakeFreedWaitersLocked()
                } else {
                    wantPiece += 1
                }
                if let fault = piece.fault {
                    pendingFault = fault
                    if window.length == 0 {
                        ring.returnUnusedLocked(window.index)
                        ring.wakeFreedWaitersLocked()
                        throw fault
                    }
                }
                ring.deliverLocked(window.index)
                // Frames are delivered in order: every thread now decodes this frame
                // or a later one, so the compressed pages before it can go (they
                // count towards RSS like any mapped page).
                file.releasePages(before: Int(window.frameOffset))
                return window
            }
            if let frameCount, wantSequence >= frameCount { return nil }
            if wantSequence % laneCount == 0 {
                // The head frame is the consumer's own: decode its next window now,
                // to be walked while it is still in this core's cache.
                decodeOwnWindowLocked(asHead: true)
                continue
            }
            // A worker decodes the head. Rather than sleep, decode the consumer's
            // next frame ahead while a window can be spared for it.
            if consumerLane.upcomingSequence != nil, ring.freeCount >= 2 {
                decodeOwnWindowLocked(asHead: false)
                continue
            }
            consumerWaiting = true
            lock.wait(for: .windowReady)
            consumerWaiting = false
        }
    }

    /// Decodes the next window of the consumer's lane into `ready` (lock held on
    /// entry and exit, released while decoding). Records the end of the file when
    /// the lane has no frame left.
    private func decodeOwnWindowLocked(asHead: Bool) {
        guard consumerLane.startFrameIfNeeded() else {
            noteEndLocked(frames: consumerLane.scanned, skippable: consumerLane.skippableFrames)
            return
        }
        var taken = ring.takeFreeLocked(for: 0)
        while taken == nil {
            // Only the head may wait here: every window is held by unreleased
            // batches (back-pressure) or was just handed out.
            guard asHead, !stopping else { return }
            ring.waitForFreedLocked()
            taken = ring.takeFreeLocked(for: 0)
        }
        let window = taken!
        let layout = recordLayout
        lock.unlock()
        let piece = consumerLane.fillNext(
            ring.base(window), capacity: ring.size, window: window,
            layout: layout, summaries: summaries(of: window), summaryCapacity: summaryCapacity)
        lock.lock()
        ready.append(piece)
    }
}
