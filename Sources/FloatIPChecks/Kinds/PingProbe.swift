import FloatIPCore
import FloatIPLinux
import Synchronization

/// `kind: ping`: one ICMP echo per run (the Linux layer's `Pinger`); fails when no reply comes
/// within the timeout, or the reply is slower than `max_rtt`.
///
/// The pinger (its sockets and receive thread) is opened at the first run and kept; a pinger that
/// cannot be opened (no CAP_NET_RAW) fails the run with that reason, and the next run tries again.
final class PingProbe: CheckProbe {
    let check: CheckConfig
    let address: IPAddress
    let maxRTT: Duration?
    let namespace: String?
    private let pinger = Mutex<Pinger?>(nil)

    init(check: CheckConfig, options: PingCheckOptions, context: CheckContext) throws {
        guard let address = IPAddress(check.target) else { throw CheckSetupError.badTarget(check) }
        self.check = check
        self.address = address
        self.maxRTT = options.maxRTT
        self.namespace = context.namespace
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let pinger: Pinger
        do {
            pinger = try openedPinger()
        } catch {
            return .since(start, passed: false, "cannot ping: \(error)")
        }
        do {
            guard let rtt = try await pinger.ping(address, timeout: check.timeout) else {
                return .since(start, passed: false, "no reply from \(address) within \(check.timeout.shortDescription)")
            }
            if let maxRTT, rtt > maxRTT {
                return .since(start, passed: false, "reply from \(address) in \(ProbeText.time(rtt)), over max_rtt "
                    + maxRTT.shortDescription)
            }
            return .since(start, passed: true, "reply from \(address) in \(ProbeText.time(rtt))")
        } catch is CancellationError {
            return .since(start, passed: false, "cancelled")
        } catch {
            return .since(start, passed: false, "ping \(address) failed: \(error)")
        }
    }

    private func openedPinger() throws -> Pinger {
        try pinger.withLock { pinger in
            if let pinger { return pinger }
            let opened = try Pinger(namespace: namespace)
            pinger = opened
            return opened
        }
    }
}
