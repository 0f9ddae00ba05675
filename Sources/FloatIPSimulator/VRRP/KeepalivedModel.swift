import FloatIPCore

/// One keepalived 2.2.7 `vrrp_instance` (version 3) as the simulator's reference for mixed clusters:
/// written from keepalived's behaviour (vrrp.c, vrrp_scheduler.c, vrrp_track.c), independently of
/// `VRRPRouterMachine`, so that the two can disagree. What it keeps of keepalived:
///
/// - Start: the owner (255, `state MASTER` as keepalived defaults it) is master at once; on a
///   non-owner, `state MASTER` waits one interval plus the skew of priority 255 (1/256 of an
///   interval) when the process starts, `state BACKUP` a master-down interval; leaving FAULT always
///   waits a master-down interval.
/// - Backup: priority 0 sets the timer to the skew time; an advertisement accepted (`nopreempt`, a
///   priority at least its own, or a worse master within `preempt_delay` of first hearing it)
///   restarts a master-down interval from the advertised interval; a discarded one leaves the timer.
/// - Master: priority 0, a worse advertisement or an equal one from a lower address is answered
///   with an advertisement at once ("forcing new election") and the interval timer restarts; a
///   better one, or an equal one from a higher address, makes it backup (addresses removed).
/// - Leaving master for FAULT or shutdown sends priority 0. A priority change (track script weight)
///   moves a backup's timer by the change in its master-down interval and is advertised at the next
///   interval.
/// - Skew time: (256 − priority) × interval / 256, in keepalived's microsecond arithmetic.
struct KeepalivedModel: Sendable {
    enum Phase: String, Sendable { case fault, backup, master }

    /// A rule broken on purpose, to show that the invariants catch it (SimulatorVRRPTests).
    enum Defect: Sendable {
        /// A backup treats priority 0 as an ordinary, worse advertisement.
        case ignoresPriorityZero
        /// A master yields to an equal priority from a lower address (the tie-break reversed).
        case reversedTieBreak
        /// A backup waits two master-down intervals.
        case slowTakeover
    }

    let config: VRRPRouterConfig
    /// `state MASTER` in the config: a shorter first wait after the process starts.
    let configuredMaster: Bool
    private(set) var phase = Phase.fault
    private(set) var priority: UInt8
    private var masterInterval: Duration
    /// The instance's timer (keepalived's `sands`): takeover for a backup, the next advertisement for
    /// a master; nil in fault.
    private(set) var timer: Instant?
    /// keepalived's `preempt_time`: until when a worse master is still accepted.
    private var preemptUntil: Instant?
    private var startedOnce = false
    let defect: Defect?

    init(config: VRRPRouterConfig, configuredMaster: Bool, defect: Defect? = nil) {
        self.config = config
        self.configuredMaster = configuredMaster
        self.defect = defect
        priority = config.priority
        masterInterval = config.advertInterval
    }

    private var isOwner: Bool { config.priority == 255 }

    /// keepalived's VRRP_TIMER_SKEW for version 3: centiseconds × (256 − priority) × 625 / 16 µs.
    private func skew(_ priority: UInt8) -> Duration {
        let centiseconds = masterInterval.nanoseconds / 10_000_000
        return .microseconds(Int64(256 - Int(priority)) * centiseconds * 625 / 16)
    }

    private var masterDown: Duration { (masterInterval * 3 + skew(priority)) * (defect == .slowTakeover ? 2 : 1) }

    /// The process starts, or the instance leaves FAULT.
    mutating func start(now: Instant) -> [VRRPRouterMachine.Action] {
        guard phase == .fault else { return [] }
        masterInterval = config.advertInterval
        preemptUntil = nil
        let first = !startedOnce
        startedOnce = true
        if isOwner { return goMaster(now: now) }
        phase = .backup
        let wait = first && configuredMaster ? masterInterval + skew(255) : masterDown
        timer = now + wait
        return []
    }

    /// FAULT or shutdown: a master advertises priority 0 and removes its addresses.
    mutating func stop() -> [VRRPRouterMachine.Action] {
        defer {
            phase = .fault
            timer = nil
        }
        return phase == .master ? [.send(advert(0)), .release] : []
    }

    /// A track script's weight: the configured priority plus `weight`, within 1–254 (an owner stays).
    mutating func setWeight(_ weight: Int) {
        guard !isOwner else { return }
        let new = UInt8(min(254, max(1, Int(config.priority) + weight)))
        guard new != priority else { return }
        let before = masterDown
        priority = new
        if phase == .backup, let timer { self.timer = timer + (masterDown - before) }
    }

    mutating func tick(now: Instant) -> [VRRPRouterMachine.Action] {
        guard let timer, now >= timer else { return [] }
        switch phase {
        case .fault: return []
        case .backup: return goMaster(now: now)
        case .master:
            self.timer = now + config.advertInterval
            return [.send(advert(priority))]
        }
    }

    mutating func receive(_ advert: VRRPAdvertisement, from sender: IPAddress, now: Instant) -> [VRRPRouterMachine.Action] {
        guard sender != config.ownAddress else { return [] }
        switch phase {
        case .fault:
            return []
        case .backup:
            if advert.priority == 0 && defect != .ignoresPriorityZero {
                timer = now + skew(priority)
            } else if !config.preempt || advert.priority >= priority || preemptPending(now) {
                masterInterval = advert.intervalDuration
                if advert.priority >= priority {
                    preemptUntil = nil
                } else if config.preemptDelay > .zero && preemptUntil == nil {
                    preemptUntil = now + config.preemptDelay
                }
                timer = now + masterDown
            }
            return []
        case .master:
            let higherAddress = Self.addressGreater(sender, config.ownAddress) != (defect == .reversedTieBreak)
            if advert.priority > priority || (advert.priority == priority && higherAddress) {
                masterInterval = advert.intervalDuration
                phase = .backup
                preemptUntil = nil
                timer = now + masterDown
                return [.release]
            }
            // Priority 0, a worse or an equal-but-lower master: advertise at once.
            timer = now + config.advertInterval
            return [.send(self.advert(priority))]
        }
    }

    private func preemptPending(_ now: Instant) -> Bool {
        guard config.preemptDelay > .zero else { return false }
        guard let preemptUntil else { return true }
        return preemptUntil > now
    }

    private mutating func goMaster(now: Instant) -> [VRRPRouterMachine.Action] {
        phase = .master
        timer = now + config.advertInterval
        return [.send(advert(priority)), .claim]
    }

    private func advert(_ priority: UInt8) -> VRRPAdvertisement {
        VRRPAdvertisement(
            version: 3, vrid: config.vrid, priority: priority,
            interval: UInt16(config.advertInterval.nanoseconds / 10_000_000), addresses: config.addresses)
    }

    /// keepalived compares source addresses as network-order integers.
    static func addressGreater(_ a: IPAddress, _ b: IPAddress) -> Bool {
        for (x, y) in zip(a.bytes, b.bytes) where x != y { return x > y }
        return false
    }
}
