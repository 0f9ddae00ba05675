import FloatIPLinux
import Foundation
import Glibc

/// The client's probe: from the client namespace, asks the floating address every `spacing`
/// (on absolute deadlines, so it does not drift) with a sequence number, and records when each
/// request went out and when and by whom it was answered.
///
/// It runs on a thread of its own (not Swift's cooperative pool); its socket is made inside the
/// client namespace by `NetworkNamespace.socket`, so the thread itself never changes namespace.
/// Bounded: it stops after `maximumDuration` (and so after `maximumDuration / spacing` requests)
/// even if nobody calls `stop()`.
public final class LabProbe: @unchecked Sendable {
    /// The time between two requests.
    public let spacing: Duration
    /// A request not answered within this counts as failed.
    public let timeout: Duration
    /// The longest the probe runs.
    public let maximumDuration: Duration

    private let fd: Int32
    private let target: sockaddr_in
    private let lock = NSLock()
    private var requests: [LabProbeRecord.Request] = []
    private var latest: (node: String, at: ContinuousClock.Instant)?
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)

    /// A probe from namespace `namespace` to `address`:`port` (not yet running: see `start()`).
    public init(
        namespace: String, address: String = LabLayout.floatingAddress, port: UInt16 = LabLayout.responderPort,
        spacing: Duration = .milliseconds(5), timeout: Duration = .milliseconds(100), maximumDuration: Duration = .seconds(120)
    ) throws(LabError) {
        self.spacing = spacing
        self.timeout = timeout
        self.maximumDuration = maximumDuration
        self.fd = try Self.socket(in: namespace)
        self.target = LabWire.socketAddress(address, port: port)
    }

    deinit { close(fd) }

    /// A UDP socket in namespace `namespace`.
    static func socket(in namespace: String) throws(LabError) -> Int32 {
        do {
            return try NetworkNamespace.socket(
                in: namespace, domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0)
        } catch {
            throw .system("cannot open a socket in namespace \(namespace): \(error)")
        }
    }

    /// Starts asking, on a new thread.
    public func start() {
        let thread = Thread { [self] in
            loop()
            finished.signal()
        }
        thread.start()
    }

    /// Stops asking, waits for answers still on their way (up to `timeout`), and returns the record.
    /// A second call returns at once.
    public func stop() -> LabProbeRecord {
        lock.withLock { stopRequested = true }
        finished.wait()
        finished.signal()
        return record()
    }

    /// Who answered last, and when.
    public func latestAnswer() -> (node: String, at: ContinuousClock.Instant)? {
        lock.withLock { latest }
    }

    /// Everything recorded so far.
    public func record() -> LabProbeRecord {
        lock.withLock { LabProbeRecord(requests: requests, timeout: timeout) }
    }

    private func loop() {
        let clock = ContinuousClock()
        let start = clock.now
        let limit = Int(maximumDuration / spacing)
        var sequence = 0
        while sequence < limit, !lock.withLock({ stopRequested }) {
            receive(until: start + spacing * sequence, clock: clock)
            let sent = clock.now
            lock.withLock { requests.append(LabProbeRecord.Request(sent: sent)) }
            LabUDP.send(fd, LabWire.request(UInt64(sequence)), to: target)
            sequence += 1
        }
        receive(until: clock.now + timeout, clock: clock)
    }

    /// Records answers until `deadline`.
    private func receive(until deadline: ContinuousClock.Instant, clock: ContinuousClock) {
        while clock.now < deadline {
            let left = deadline - clock.now
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard let (bytes, _) = LabUDP.receive(fd, waiting: milliseconds) else { continue }
            let at = clock.now
            guard let answer = LabWire.parseAnswer(bytes[...]) else { continue }
            lock.withLock {
                let index = Int(answer.sequence)
                guard index < requests.count, requests[index].answered == nil else { return }
                requests[index].answered = at
                requests[index].node = answer.node
                latest = (answer.node, at)
            }
        }
    }
}
