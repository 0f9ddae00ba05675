/// `track:`: reference addresses this node must reach to hold anything (docs/config.md, "track";
/// docs/pairs.md). For two-node pairs without etcd: a node that reaches none of the targets is in
/// `fault` for every group (it does not claim, and releases what it holds), so of two nodes cut off
/// from each other only the one that still reaches the gateway or the witness holds.
///
/// The agent runs tracking as one synthesized required check, `track` (`check`), that applies to every
/// group: it probes every target each `interval` and passes when any of them answers within `timeout`;
/// `rise`/`fall` give it the same hysteresis as any check.
public struct TrackConfig: Sendable, Equatable {
    /// One reference address.
    public enum Target: Sendable, Equatable, CustomStringConvertible {
        /// An address probed with ICMP echo (the gateway, a router).
        case ping(IPAddress)
        /// A `floatip witness` probed with an authenticated UDP datagram (docs/protocol.md, "Witness").
        case witness(IPAddress, port: UInt16)

        /// `198.18.0.254`, `witness 198.18.0.9:7455`: as the config writes it (with the port).
        public var description: String {
            switch self {
            case .ping(let address): "\(address)"
            case .witness(let address, let port): "witness \(endpoint(address, port))"
            }
        }

        public var address: IPAddress {
            switch self {
            case .ping(let address), .witness(let address, _): address
            }
        }
    }

    public var targets: [Target]
    /// Time between two rounds of probes. Default 50 ms.
    public var interval: Duration
    /// A target that has not answered within this is unreachable for the round. Default 40 ms.
    public var timeout: Duration
    /// Rounds in a row with an answer that make an unreachable node reachable again. Default 3.
    public var rise: Int
    /// Rounds in a row without any answer that make a reachable node unreachable. Default 3.
    public var fall: Int

    public static let defaultInterval: Duration = .milliseconds(50)
    public static let defaultTimeout: Duration = .milliseconds(40)
    public static let defaultRise = 3
    public static let defaultFall = 3
    /// The UDP port `floatip witness` listens on unless told otherwise.
    public static let defaultWitnessPort: UInt16 = 7455
    /// The name of the synthesized check (a configured check may not use it while `track:` is set).
    public static let checkName = "track"

    public init(
        targets: [Target], interval: Duration = TrackConfig.defaultInterval,
        timeout: Duration = TrackConfig.defaultTimeout, rise: Int = TrackConfig.defaultRise,
        fall: Int = TrackConfig.defaultFall
    ) {
        self.targets = targets
        self.interval = interval
        self.timeout = timeout
        self.rise = rise
        self.fall = fall
    }

    /// The longest a node that lost every target keeps holding: `fall` rounds without an answer, the
    /// first of which may start up to one `interval` after the loss and ends after `timeout`.
    public var releaseBound: Duration { interval * fall + timeout }

    /// The required check the agent runs for tracking: kind `track`, applied to every group.
    public var check: CheckConfig {
        CheckConfig(
            name: Self.checkName, kind: .track, target: targets.map(\.description).joined(separator: ", "),
            interval: interval, timeout: timeout, rise: rise, fall: fall, effect: .required, options: .track(self))
    }
}

extension ClusterConfig {
    /// The checks the agent runs: the configured ones, the implicit `link IFACE` of interface tracking, then
    /// tracking's (`track:`) if set.
    public var runnableChecks: [CheckConfig] { checks + implicitInterfaceChecks + (track.map { [$0.check] } ?? []) }
}
