#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decompresses independent zstd frames on worker threads, ahead of the consumer,
/// and delivers their windows in stream order.
///
/// Each worker takes the next frame from the shared scanner (so at most one frame
/// per worker is in flight) and cuts its output into windows. Windows come from
/// the shared ring, so decoded-ahead data is bounded by `windowCount`.
///
/// Deadlock freedom: the *head* frame (the earliest one still being decoded) may
/// take any free window; a later frame may take one only if another stays free.
/// The consumer only ever waits for the head's windows, and the head can always
/// get a window once the consumer releases what it has read. Batches that are
/// never released would stall it: that is the documented back-pressure of
/// `nextBatch`, not something bad input can cause.
final class ZstdParallelDecoder: ZstdWindowProducer, @unchecked Sendable {
    private struct Piece {
        var sequence: Int  // data-frame number in dispatch order
        var piece: Int
        var window: ZstdWindow
        var fault: ZstdFault?
    }

    private let ring: ZstdWindowRing
    private var lock: ConditionLock { ring.lock }
    private let file: MappedFile
    private let maxWindowLog: Int

    // Guarded by `lock`.
    private var scanner: ZstdFrameScanner
    private var dispatched = 0
    private var scanFinished = false
    /// Frames being decoded, by dispatch sequence, with the number of windows each is filling.
    private var active: [Int: Int] = [:]
    private var ready: [Piece] = []
    private var wantSequence = 0
    private var wantPiece = 0
    private var stopping = false
    private var pendingFault: ZstdFault?

    private var threads: [pthread_t] = []

    init(file: MappedFile, ring: ZstdWindowRing, threads count: Int, maxWindowLog: Int) {
        self.file = file
        self.ring = ring
        self.maxWindowLog = maxWindowLog
        self.scanner = ZstdFrameScanner(file.bytes)
        for _ in 0..<max(count, 1) {
            if let t = startThread({ [self] in self.work() }) { threads.append(t) }
        }
    }

    /// Worker threads actually running (0 if the system refused to start any).
    var threadCount: Int { threads.count }

    var skippableFrames: Int { lock.withLock { scanner.skippableFrames } }

    func shutdown() {
        lock.withLock { stopping = true }
        lock.broadcast()
        for t in threads { joinThread(t) }
        threads.removeAll()
    }

    // MARK: - Workers

    private func work() {
        guard var decoder = ZstdFrameDecoder(file: file.bytes, maxWindowLog: maxWindowLog) else {
            lock.withLock {
                pendingFault = ZstdFault(reason: "cannot allocate a zstd decompression context", frameIndex: 0, frameOffset: 0)
            }
            lock.broadcast()
            return
        }
        lock.lock()
        while !stopping {
            guard let frame = scanner.next() else {
                scanFinished = true
                lock.broadcast()
                break
            }
            let sequence = dispatched
            dispatched += 1
            active[sequence] = 0
            lock.unlock()
            decode(frame, sequence: sequence, with: &decoder)
            lock.lock()
        }
        lock.unlock()
    }

    private func decode(_ frame: ZstdFrame, sequence: Int, with decoder: inout ZstdFrameDecoder) {
        decoder.start(frame)
        var piece = 0
        while true {
            lock.lock()
            var window: Int? = nil
            while !stopping {
                let head = active.keys.min() == sequence
                if head || ring.freeCount >= 2, let w = ring.takeFreeLocked() {
                    window = w
                    active[sequence, default: 0] += 1
                    break
                }
                lock.wait()
            }
            lock.unlock()
            guard let window else { return }

            let fill = decoder.fill(ring.base(window), capacity: ring.size)
            let ends = fill.frameDone || fill.fault != nil
            let fault = fill.fault.map {
                ZstdFault(reason: $0, frameIndex: frame.index, frameOffset: UInt64(frame.offset))
            }
            lock.lock()
            ready.append(Piece(
                sequence: sequence, piece: piece,
                window: ZstdWindow(
                    index: window, base: UnsafeRawPointer(ring.base(window)), length: fill.count,
                    frameIndex: frame.index, frameOffset: UInt64(frame.offset),
                    endsFrame: ends, skippableBefore: frame.skippableBefore),
                fault: fault))
            active[sequence, default: 1] -= 1
            if ends { active[sequence] = nil }
            lock.unlock()
            lock.broadcast()
            if ends { return }
            piece += 1
        }
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
                } else {
                    wantPiece += 1
                }
                if let fault = piece.fault {
                    pendingFault = fault
                    if window.length == 0 {
                        ring.returnUnusedLocked(window.index)
                        lock.broadcast()
                        throw fault
                    }
                }
                ring.deliverLocked(window.index)
                return window
            }
            if scanFinished && wantSequence >= dispatched { return nil }
            // Waiting for the head frame's next window. If unreleased batches hold
            // every window, this waits until some thread releases one (back-pressure).
            lock.wait()
        }
    }
}
