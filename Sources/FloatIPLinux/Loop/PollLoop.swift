import CFloatIPLinux
import Foundation
import Glibc
import Synchronization

/// One thread asleep in `poll`: a serial executor for an actor, one timer (a timerfd) and one
/// readable descriptor, all served by that thread. keepalived's shape: an idle daemon wakes once
/// per timer or datagram, on one thread, instead of hopping from a timer or reader thread to the
/// cooperative pool and then to the actor (two or three context switches per event).
///
/// Jobs enqueued from other threads wake the loop through a pipe (only when it sleeps); jobs
/// enqueued from the loop's own thread do not. The timer and descriptor handlers run on the
/// loop's thread between jobs, where `checkIsolated()` holds, so an actor whose executor this is
/// may `assumeIsolated` in them. The loop runs until `shutdown()`.
public final class PollLoop: SerialExecutor, @unchecked Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var sleeping = false
        var stopping = false
        var watched: (descriptor: Int32, onReadable: @Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let wake: WakePipe
    private let timer: Int32
    /// Touched on the loop's thread only.
    private var onTimer: (@Sendable () -> Void)?
    private let thread = Mutex<pthread_t?>(nil)

    /// Starts the thread, named `name` (shown by `top -H`).
    public init(name: String) throws(SystemError) {
        wake = try WakePipe()
        do {
            timer = try syscall("timerfd_create") {
                timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
            }
        } catch {
            wake.close()
            throw error
        }
        let started = Thread { [self] in
            // Named from the thread itself: Foundation's `Thread.name` does not reach `top -H` here.
            cfloatip_set_thread_name(name)
            run()
        }
        started.start()
    }

    // MARK: Executor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let signal = state.withLock { state in
            state.jobs.append(job)
            defer { state.sleeping = false }
            return state.sleeping
        }
        if signal { wake.signal() }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the caller runs on the loop's thread (handlers and jobs do).
    public var isLoopThread: Bool {
        guard let loop = thread.withLock({ $0 }) else { return false }
        return pthread_equal(loop, pthread_self()) != 0
    }

    public func checkIsolated() {
        precondition(isLoopThread, "not on the poll loop's thread")
    }

    // MARK: Timer and descriptor

    /// What runs on the loop's thread when the timer fires. Call it on the loop's thread (or
    /// before anything arms the timer).
    public func setTimerHandler(_ handler: @escaping @Sendable () -> Void) {
        onTimer = handler
    }

    /// Fires the timer once, `delay` from now (monotonic; at least 1 µs), replacing any earlier arming.
    public func arm(after delay: Duration) {
        let nanoseconds = max(1_000, delay.nanoseconds)
        var spec = itimerspec()
        spec.it_value.tv_sec = Int(nanoseconds / 1_000_000_000)
        spec.it_value.tv_nsec = Int(nanoseconds % 1_000_000_000)
        _ = timerfd_settime(timer, 0, &spec, nil)
    }

    /// Disarms the timer.
    public func disarm() {
        var spec = itimerspec()
        _ = timerfd_settime(timer, 0, &spec, nil)
    }

    /// Runs `onReadable` on the loop's thread whenever `descriptor` is readable (the handler reads
    /// until it would block); nil stops watching. One descriptor; a later call replaces it. Stop
    /// watching before closing the descriptor.
    public func watch(_ descriptor: Int32?, onReadable: @escaping @Sendable () -> Void = {}) {
        let signal = state.withLock { state in
            state.watched = descriptor.map { ($0, onReadable) }
            defer { state.sleeping = false }
            return state.sleeping
        }
        if signal { wake.signal() }
    }

    /// Ends the thread once the queued jobs have run. Jobs enqueued later never run.
    public func shutdown() {
        let signal = state.withLock { state in
            state.stopping = true
            return state.sleeping
        }
        if signal { wake.signal() }
    }

    // MARK: The thread

    private func run() {
        thread.withLock { $0 = pthread_self() }
        defer {
            close(timer)
            wake.close()
        }
        let executor = asUnownedSerialExecutor()
        while true {
            let (jobs, watched, stopping) = state.withLock { state in
                let jobs = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                state.sleeping = jobs.isEmpty && !state.stopping
                return (jobs, state.watched, state.stopping)
            }
            for job in jobs { job.runSynchronously(on: executor) }
            if stopping { return }
            guard jobs.isEmpty else { continue }
            var descriptors = [
                pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: timer, events: Int16(POLLIN), revents: 0),
                pollfd(fd: watched?.descriptor ?? -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 3, -1)
            state.withLock { $0.sleeping = false }
            guard ready > 0 else { continue }
            if descriptors[0].revents != 0 { wake.drain() }
            if descriptors[1].revents != 0 {
                var expirations: UInt64 = 0
                if read(timer, &expirations, 8) == 8 { onTimer?() }
            }
            if descriptors[2].revents != 0, let watched {
                // A descriptor closed under the loop (POLLNVAL) would spin: stop watching it.
                if descriptors[2].revents & Int16(POLLNVAL) != 0 {
                    state.withLock { state in
                        if state.watched?.descriptor == watched.descriptor { state.watched = nil }
                    }
                } else {
                    watched.onReadable()
                }
            }
        }
    }
}
