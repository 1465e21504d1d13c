import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with two condition variables, one per kind of event, so a
/// thread is woken only for what it waits on: decoders wait for a window to be
/// freed, the consumer for a decoded window to be ready. The zstd window ring,
/// its decompression workers and the consumer coordinate through one of these per
/// reader (nothing global). Heap-allocated because pthread objects must not move.
final class ConditionLock: @unchecked Sendable {
    enum Event: Int {
        /// A window became free, or the head frame changed (decoders wait on this).
        case windowFreed = 0
        /// A decoded window, the end of the stream or a fault (the consumer waits on this).
        case windowReady = 1
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let conditions = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 2)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(conditions, nil)
        pthread_cond_init(conditions + 1, nil)
    }

    deinit {
        pthread_cond_destroy(conditions)
        pthread_cond_destroy(conditions + 1)
        pthread_mutex_destroy(mutex)
        conditions.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits for a broadcast of `event`; the lock must be held and is held again on return.
    func wait(for event: Event) { pthread_cond_wait(conditions + event.rawValue, mutex) }
    func broadcast(_ event: Event) { pthread_cond_broadcast(conditions + event.rawValue) }

    @inline(__always)
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Starts a joinable thread running `body`; nil if the system refuses.
/// `name` is shown by `top -H` and `perf report --sort comm` (at most 15 bytes on Linux).
func startThread(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t? {
    let body: @Sendable () -> Void = {
        nameCurrentThread(name)
        body()
    }
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let rc = pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, context)
    guard rc == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        return nil
    }
    return thread
}

/// Names the calling thread for `top -H`, `perf` and debuggers (Linux keeps 15 bytes).
public func nameCurrentThread(_ name: String) {
    rr_name_current_thread(name)
}

func joinThread(_ thread: pthread_t) {
    pthread_join(thread, nil)
}
