import FloatIPCore
import Synchronization

/// Tracking (`track:`): every run probes all targets at once, each with the track's timeout, ICMP echo for an
/// address (`PingProbe`) and the witness protocol for a witness (`WitnessProbe`), and passes when any of them
/// answered. The scheduler's rise/fall turns the runs into the node's reachability verdict.
///
/// `targets()` is each target's last result, for status and metrics.
public final class TrackProbe: CheckProbe {
    public let check: CheckConfig
    private let probes: [(target: TrackConfig.Target, probe: any CheckProbe)]
    private let board: Mutex<[TrackTargetState]>

    init(check: CheckConfig, track: TrackConfig, context: CheckContext) throws {
        self.check = check
        var probes: [(TrackConfig.Target, any CheckProbe)] = []
        for target in track.targets {
            switch target {
            case .ping(let address):
                let ping = CheckConfig(
                    name: check.name, kind: .ping, target: "\(address)", interval: track.interval,
                    timeout: track.timeout, rise: 1, fall: 1)
                probes.append((target, try PingProbe(check: ping, options: PingCheckOptions(), context: context)))
            case .witness(let address, let port):
                guard let identity = context.witness else { throw CheckSetupError.noWitnessKey(check) }
                probes.append((target, WitnessProbe(check: check, address: address, port: port, identity: identity)))
            }
        }
        self.probes = probes
        board = Mutex(track.targets.map { TrackTargetState(target: "\($0)", kind: $0.kind) })
    }

    /// Each target's last result, in config order.
    public func targets() -> [TrackTargetState] { board.withLock { $0 } }

    public func run() async -> CheckResult {
        let start = ContinuousClock.now
        let results = await withTaskGroup(of: (Int, CheckResult).self) { group in
            for (index, entry) in probes.enumerated() {
                group.addTask { (index, await entry.probe.run()) }
            }
            var results = [CheckResult?](repeating: nil, count: probes.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        let now = ContinuousClock.now
        board.withLock { states in
            for (index, result) in results.enumerated() {
                guard let result else { continue }
                states[index].reachable = result.passed
                states[index].detail = result.detail
                states[index].checkedAt = now
            }
        }
        let answered = results.compactMap { $0 }.filter(\.passed)
        if let first = answered.first {
            let others = answered.count > 1 ? " (\(answered.count) of \(probes.count) targets answer)" : ""
            return .since(start, passed: true, first.detail + others)
        }
        let details = results.compactMap { $0?.detail }
        return .since(start, passed: false, details.joined(separator: "; "))
    }

    public func shutdown() async {
        for (_, probe) in probes { await probe.shutdown() }
    }
}

/// One track target's last result.
public struct TrackTargetState: Sendable, Equatable {
    /// As the config writes it: `198.18.0.254`, `witness 198.18.0.9:7455`.
    public var target: String
    /// `ping` or `witness`.
    public var kind: String
    /// Whether it answered in the last round; nil before the first.
    public var reachable: Bool?
    public var detail: String = ""
    public var checkedAt: ContinuousClock.Instant?

    public init(target: String, kind: String) {
        self.target = target
        self.kind = kind
    }
}

extension TrackConfig.Target {
    /// `ping` or `witness`.
    public var kind: String {
        switch self {
        case .ping: "ping"
        case .witness: "witness"
        }
    }
}
