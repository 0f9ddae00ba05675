import Foundation
import Glibc

/// One look at every node: which had the floating address. Times are offsets from the run's start.
public struct ChaosSample: Sendable, Equatable {
    /// When the look began.
    public var at: Duration
    /// Bit `n - 1` set: node `n` had the address.
    public var holders: UInt8
    /// Bit `n - 1` set: node `n` could not be read (its dump failed); such a sample proves nothing about it.
    public var unknown: UInt8 = 0

    public init(at: Duration, holders: UInt8, unknown: UInt8 = 0) {
        self.at = at
        self.holders = holders
        self.unknown = unknown
    }

    /// A sample where `nodes` (1-based) hold.
    public init(at: Duration, holding nodes: [Int]) {
        self.init(at: at, holders: nodes.reduce(0) { $0 | 1 << UInt8($1 - 1) })
    }

    /// The nodes that held, 1-based.
    public var nodes: [Int] { (1...8).filter { holders & 1 << UInt8($0 - 1) != 0 } }
}

/// Samples every node's addresses every `spacing` (10 ms) on a thread of its own, with its own
/// netlink dumps (`ChaosAddressDump`), until stopped or `maximumDuration` has passed. A sample
/// with two holders is confirmed by a second read at once (only those found twice count).
public final class ChaosObserver: @unchecked Sendable {
    /// The time between two looks.
    public let spacing: Duration
    private let dumps: [ChaosAddressDump]
    private let address: [UInt8]
    private let origin: ContinuousClock.Instant
    private let maximumDuration: Duration
    private let lock = NSLock()
    private var samples: [ChaosSample] = []
    private var stopping = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)

    /// An observer of the node namespaces `namespaces` (node 1 first), times measured from `origin`.
    init(namespaces: [String], address: String, origin: ContinuousClock.Instant, maximumDuration: Duration,
         spacing: Duration = .milliseconds(10)) throws(LabError) {
        var dumps: [ChaosAddressDump] = []
        for namespace in namespaces { dumps.append(try ChaosAddressDump(namespace: namespace)) }
        self.dumps = dumps
        self.address = address.split(separator: ".").compactMap { UInt8($0) }
        self.origin = origin
        self.maximumDuration = maximumDuration
        self.spacing = spacing
        samples.reserveCapacity(Int(maximumDuration / spacing) + 1)
    }

    /// Starts sampling on a new thread.
    func start() {
        lock.withLock { started = true }
        Thread { [self] in
            loop()
            finished.signal()
        }.start()
    }

    /// Stops sampling; every sample taken. A second call returns at once.
    func stop() -> [ChaosSample] {
        // Never started: no thread will signal.
        guard lock.withLock({ stopping = true; return started }) else { return [] }
        finished.wait()
        finished.signal()
        return lock.withLock { samples }
    }

    /// The latest sample, if any.
    func latest() -> ChaosSample? { lock.withLock { samples.last } }

    private func loop() {
        let clock = ContinuousClock()
        let start = clock.now
        let limit = Int(maximumDuration / spacing)
        for round in 0..<limit {
            if lock.withLock({ stopping }) { return }
            let deadline = start + spacing * round
            let left = deadline - clock.now
            if left > .zero { usleep(UInt32(clamping: left.components.attoseconds / 1_000_000_000_000 + left.components.seconds * 1_000_000)) }
            let at = clock.now - origin
            var holders: UInt8 = 0
            var unknown: UInt8 = 0
            for (index, dump) in dumps.enumerated() {
                switch dump.has(address) {
                case true?: holders |= 1 << UInt8(index)
                case false?: break
                case nil: unknown |= 1 << UInt8(index)
                }
            }
            // Nodes are read one after another: a break-before-make move between two reads looks
            // like two holders. Read those again at once and keep the ones found both times: each
            // held at some instant between its two reads, and those spans overlap.
            if holders.nonzeroBitCount > 1 {
                for (index, dump) in dumps.enumerated() where holders & 1 << UInt8(index) != 0 && dump.has(address) != true {
                    holders &= ~(1 << UInt8(index))
                }
            }
            lock.withLock { samples.append(ChaosSample(at: at, holders: holders, unknown: unknown)) }
        }
    }
}
