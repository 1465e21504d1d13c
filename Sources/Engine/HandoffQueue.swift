import CaptureIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded FIFO handing whole batches from one thread to another: one lock
/// acquisition per batch, never per packet. `put` waits while the queue is full,
/// `take` while it is empty. Heap-allocated pthread objects (they must not move).
final class HandoffQueue<Element>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var items: [Element?]
    private var head = 0
    private var count = 0

    /// - Parameter capacity: the most elements the queue holds (at least 1).
    init(capacity: Int) {
        items = Array(repeating: nil, count: max(1, capacity))
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    func put(_ element: Element) {
        pthread_mutex_lock(mutex)
        while count == items.count { pthread_cond_wait(changed, mutex) }
        items[(head + count) % items.count] = element
        count += 1
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    func take() -> Element {
        pthread_mutex_lock(mutex)
        while count == 0 { pthread_cond_wait(changed, mutex) }
        let element = items[head]!
        items[head] = nil
        head = (head + 1) % items.count
        count -= 1
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        return element
    }
}

/// A flag one thread raises and others poll between batches.
final class StopFlag: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var raised = false

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    var isRaised: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return raised
    }

    func raise() {
        pthread_mutex_lock(mutex)
        raised = true
        pthread_mutex_unlock(mutex)
    }
}

/// A joinable thread running `body`.
struct WorkerThread {
    #if canImport(Darwin)
    private var thread: pthread_t?
    #else
    private var thread = pthread_t()
    #endif

    /// Starts the thread; nil if the system refuses one.
    /// - Parameter name: shown by `top -H`, `perf report --sort comm` and debuggers
    ///   (at most 15 bytes on Linux).
    init?(name: String, _ body: @escaping @Sendable () -> Void) {
        let body: @Sendable () -> Void = {
            nameCurrentThread(name)
            body()
        }
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            return nil
        }
    }

    func join() {
        #if canImport(Darwin)
        if let thread { pthread_join(thread, nil) }
        #else
        pthread_join(thread, nil)
        #endif
    }
}
