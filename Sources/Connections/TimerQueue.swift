/// The timers of SEMANTICS-CONN §2.6.
enum TimerKind: UInt8, Sendable {
    /// UDP RPC expiry (`rpc_timeout`), an RPC-analyzer timer.
    case rpcExpiry
    /// TCP analyzer timers.
    case tcpAttempt, tcpReset, tcpExpire, tcpClose, tcpPartialClose
    /// The connection's inactivity timer.
    case inactivity

    /// Whether the timer acts when popped by the end-of-trace flush (`do_expire`).
    var actsAtEndOfTrace: Bool {
        switch self {
        case .rpcExpiry, .tcpAttempt, .tcpReset: return true
        default: return false
        }
    }

    /// TCP analyzer timers die together when a close completes (`CancelTimers`).
    var isTCPAnalyzerTimer: Bool {
        switch self {
        case .tcpAttempt, .tcpReset, .tcpExpire, .tcpClose, .tcpPartialClose: return true
        default: return false
        }
    }
}

/// One scheduled timer. Cancellation is lazy: a timer whose connection slot was
/// freed (incarnation changed) or whose TCP timer epoch was bumped is skipped
/// when popped and never counts against the per-packet expiry limit, exactly
/// like a timer the reference removed from its queue.
struct ScheduledTimer: Sendable {
    var time: Double
    /// Creation order; breaks ties between equal times deterministically.
    var order: UInt64
    var kind: TimerKind
    var slot: Int32
    var incarnation: UInt32
    var epoch: UInt32

    @inlinable
    func precedes(_ other: ScheduledTimer) -> Bool {
        time < other.time || (time == other.time && order < other.order)
    }
}

/// A binary min-heap of timers ordered by (time, creation order).
struct TimerQueue: Sendable {
    private(set) var heap: [ScheduledTimer] = []
    private var nextOrder: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    /// Read once per packet: subscripting instead of `first`, which an unoptimized
    /// build calls as an unspecialized generic that allocates on every call.
    var top: ScheduledTimer? { heap.isEmpty ? nil : heap[0] }

    /// - Returns: the timer's creation order (its id in `OrderNote`s).
    @discardableResult
    mutating func add(_ kind: TimerKind, at time: Double, slot: Int32, incarnation: UInt32, epoch: UInt32) -> UInt64 {
        let timer = ScheduledTimer(time: time, order: nextOrder, kind: kind, slot: slot,
                                   incarnation: incarnation, epoch: epoch)
        nextOrder &+= 1
        heap.append(timer)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
        return timer.order
    }

    /// Sifts the last timer down from the root through a hole (one move per level
    /// instead of a checked swap): the same heap as swapping, at half the cost.
    mutating func popMin() -> ScheduledTimer? {
        guard !heap.isEmpty else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return last }
        return heap.withUnsafeMutableBufferPointer { h in
            let first = h[0]
            let n = h.count
            var hole = 0
            while true {
                let left = 2 * hole + 1
                guard left < n else { break }
                var best = left
                let right = left + 1
                if right < n && h[right].precedes(h[left]) { best = right }
                guard h[best].precedes(last) else { break }
                h[hole] = h[best]
                hole = best
            }
            h[hole] = last
            return first
        }
    }
}
