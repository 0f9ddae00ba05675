/// One node of one VRRP virtual router as a pure state machine (RFC 5798 section 6.4, with keepalived's
/// `preempt_delay`): advertisements and time in, actions out. No clock, no socket: the agent and the
/// simulator drive it alike.
///
/// States: `initialize` (stopped, or in fault: silent, holding nothing), `backup` (listening, with a
/// master-down deadline), `master` (holding the addresses and advertising every interval).
/// Leaving `master` for any reason but a better master's advertisement (a stop, a fault, maintenance)
/// sends one advertisement with priority 0, so the backups take over after their skew time instead
/// of the whole master-down interval.
public struct VRRPRouterMachine: Sendable {
    public enum State: String, Sendable, Equatable {
        case initialize, backup, master
    }

    /// What the machine asks of the agent, in order.
    public enum Action: Sendable, Equatable {
        /// Send this advertisement (to the group, or to each unicast peer).
        case send(VRRPAdvertisement)
        /// Take the addresses (add them, announce them).
        case claim
        /// Give the addresses up.
        case release
    }

    public private(set) var config: VRRPRouterConfig
    public private(set) var state: State = .initialize
    /// The priority advertised: the configured one adjusted by failing checks' weights (1–254); 255
    /// for an owner, whatever the checks say.
    public private(set) var effectivePriority: UInt8
    /// The master's interval as its advertisements say (version 3 learns it; version 2 uses its own).
    public private(set) var masterAdvertInterval: Duration
    /// Backup: when the master counts as gone. Master: when the next advertisement is due.
    public private(set) var deadline: Instant?
    /// The address and priority of the last master heard, for status.
    public private(set) var lastMaster: (address: IPAddress, priority: UInt8)?
    /// When this backup first heard the worse master it now waits to preempt (keepalived's
    /// `preempt_delay` counts from then); nil while the master is at least as good.
    private var worseMasterSince: Instant?

    public init(config: VRRPRouterConfig) {
        self.config = config
        effectivePriority = config.priority
        masterAdvertInterval = config.advertInterval
    }

    /// Starts (or restarts after a fault): an owner becomes master at once, others listen first.
    public mutating func start(now: Instant) -> [Action] {
        guard state == .initialize else { return [] }
        worseMasterSince = nil
        if effectivePriority == 255 { return becomeMaster(now: now) }
        becomeBackup(interval: config.advertInterval, now: now)
        return []
    }

    /// Stops (shutdown, maintenance, a required check failing): a master sends priority 0 and
    /// releases; the machine then stays silent until `start`.
    public mutating func stop() -> [Action] {
        defer {
            state = .initialize
            deadline = nil
        }
        guard state == .master else { return [] }
        return [.send(advertisement(priority: 0)), .release]
    }

    /// The advertised priority from the checks' weights (the sum of the failing ones' weights added to
    /// the configured priority, kept within 1–254). An owner stays at 255. A master that drops below
    /// a backup keeps the addresses until that backup preempts, as keepalived does.
    public mutating func setWeight(_ weight: Int) {
        guard config.priority != 255 else { return }
        effectivePriority = UInt8(min(254, max(1, Int(config.priority) + weight)))
    }

    /// Time passed: a backup whose master went silent takes over; a master advertises.
    public mutating func tick(now: Instant) -> [Action] {
        guard let deadline, now >= deadline else { return [] }
        switch state {
        case .initialize: return []
        case .backup: return becomeMaster(now: now)
        case .master:
            self.deadline = now + config.advertInterval
            return [.send(advertisement(priority: effectivePriority))]
        }
    }

    /// An advertisement for this virtual router (already checked: VRID, version, authentication) from `sender`.
    public mutating func receive(_ advert: VRRPAdvertisement, from sender: IPAddress, now: Instant) -> [Action] {
        guard sender != config.ownAddress else { return [] }
        let interval = config.version == 3 ? advert.intervalDuration : config.advertInterval
        switch state {
        case .initialize:
            return []
        case .backup:
            if advert.priority == 0 {
                deadline = now + VRRPTimers.skew(priority: effectivePriority, interval: masterAdvertInterval, version: config.version)
                return []
            }
            lastMaster = (sender, advert.priority)
            // A better backup (with preemption, once any delay has passed) discards the advertisement:
            // its master-down deadline runs out and it takes over (RFC 5798 6.4.2).
            // Equal priorities: the backup defers (the address tie-break is the master's, 6.4.3).
            let better = advert.priority < effectivePriority
            if better && config.preempt {
                let since = worseMasterSince ?? now
                worseMasterSince = since
                if now >= since + config.preemptDelay { return [] }
            } else {
                worseMasterSince = nil
            }
            becomeBackup(interval: interval, now: now)
            return []
        case .master:
            if advert.priority == 0 {
                deadline = now + config.advertInterval
                return [.send(advertisement(priority: effectivePriority))]
            }
            let theirs = advert.priority > effectivePriority
                || (advert.priority == effectivePriority && Self.outranks(sender, config.ownAddress))
            guard theirs else { return [] }
            lastMaster = (sender, advert.priority)
            becomeBackup(interval: interval, now: now)
            return [.release]
        }
    }

    /// The advertisement this node sends now, with `priority`.
    public func advertisement(priority: UInt8) -> VRRPAdvertisement {
        VRRPAdvertisement(
            version: config.version, vrid: config.vrid, priority: priority, interval: config.intervalField,
            addresses: config.addresses, authentication: config.authentication)
    }

    /// Whether `a` wins a tie of priorities against `b`: the higher address, as unsigned integers.
    static func outranks(_ a: IPAddress, _ b: IPAddress) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes) == false && a != b
    }

    private mutating func becomeMaster(now: Instant) -> [Action] {
        state = .master
        lastMaster = nil
        // Back in backup, the preempt delay counts from the first worse master heard then, not from
        // one heard before this term (keepalived resets `preempt_time` when it leaves master).
        worseMasterSince = nil
        deadline = now + config.advertInterval
        return [.send(advertisement(priority: effectivePriority)), .claim]
    }

    private mutating func becomeBackup(interval: Duration, now: Instant) {
        state = .backup
        masterAdvertInterval = interval
        deadline = now + VRRPTimers.masterDown(priority: effectivePriority, interval: interval, version: config.version)
    }
}
