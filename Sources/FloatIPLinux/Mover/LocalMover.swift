import CFloatIPLinux
import FloatIPCore
import Glibc
import Logging

/// `mover: local`: puts a group's addresses on an interface of this server and announces them
/// (gratuitous ARP, unsolicited NA), and keeps them there while it holds: `maintain()` renews
/// their kernel lifetime (so a crashed agent's addresses expire by themselves) and restores any
/// that disappear (an operator's `ip addr del`, a link flap).
///
/// With `virtual_mac` the addresses go on the group's macvlan (`VirtualMAC`) instead of
/// `interface`: claim creates it, release deletes it (see LocalMover+VirtualMAC.swift). A group
/// whose addresses name their own interfaces has them put on each, and announced on each
/// (LocalMover+Placement.swift).
///
/// Every operation is idempotent. A claim that fails part-way removes what it added (a macvlan it
/// created included), so nothing is left half-configured.
public actor LocalMover: ExpiringMover {
    public nonisolated let namespace: String?
    let netlink: RouteNetlink
    /// What the mover did on its own (restores, renewal failures), for the agent's log.
    let logger: Logger
    var held: [String: HeldGroup] = [:]
    var announcers: [String: Announcer] = [:]
    /// When each bounded group's addresses must be gone by (`ExpiringMover`, LocalMover+Bound.swift).
    var lifetimeBounds: [String: ContinuousClock.Instant] = [:]
    /// Set while the renewal loop sleeps because nothing held expires; a claim finishes it.
    var holdBegan: OneShot<Void>?

    struct HeldGroup {
        var group: GroupConfig
        /// The interfaces the addresses are on: `interface` (and the addresses' own), or the group's macvlan.
        var placements: [HeldPlacement]
        /// Repeat and refresh announcements, cancelled on release.
        var followUps: Task<Void, Never>?
    }

    /// A mover for the namespace `namespace` (the current one if nil).
    public init(namespace: String? = nil, logger: Logger = .silent) throws {
        self.namespace = namespace
        self.logger = logger
        netlink = try RouteNetlink(namespace: namespace)
    }

    // MARK: Mover

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        guard let lifetime = kernelLifetime(group) else {
            throw LocalMoverError.boundTooNear(group: group.name, left: (lifetimeBounds[group.name] ?? .now) - .now)
        }
        let (targets, created) = try placements(group)
        var added: [(prefix: IPPrefix, index: Int32)] = []
        do {
            for target in targets {
                let present = Set(try netlink.addresses(interfaceIndex: target.index).map(\.prefix))
                for prefix in target.addresses {
                    do {
                        try netlink.addAddress(prefix, interfaceIndex: target.index, lifetime: lifetime, replace: true)
                        if !present.contains(prefix) { added.append((prefix, target.index)) }
                    } catch {
                        throw LocalMoverError(group: group, interface: target.name, address: prefix, action: "add", error)
                    }
                }
            }
        } catch {
            for (prefix, index) in added { try? netlink.deleteAddress(prefix, interfaceIndex: index) }
            if let created { try? netlink.deleteLink(index: created) }
            throw error
        }
        held[group.name]?.followUps?.cancel()
        held[group.name] = HeldGroup(group: group, placements: targets, followUps: nil)
        holdBegan?.finish(())
        holdBegan = nil
        guard group.announce.count > 0 else { return }
        // The claim is done once the addresses are in place and announced once: peers waiting to
        // release (make-before-break) may go at once. The rest of the burst follows in the background.
        let announcing = try announcers(for: group)
        for (announcer, addresses) in announcing { try announcer.announceOnce(addresses) }
        held[group.name]?.followUps = followUps(group, announcing)
    }

    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        held.removeValue(forKey: group.name)?.followUps?.cancel()
        if let id = group.virtualMAC {
            try releaseVirtualMAC(group, VirtualMAC(id: id))
            return
        }
        var firstError: LocalMoverError?
        for placement in group.placements {
            guard let link = try netlink.link(named: placement.interface) else { continue }
            let error = removeAddresses(placement.addresses, of: group, index: link.index, name: link.name)
            firstError = firstError ?? error
        }
        if let firstError { throw firstError }
    }

    public func announce(_ group: GroupConfig) async throws {
        guard group.announce.count > 0 else { return }
        try await Self.burst(announcers(for: group))
    }

    public func holder(of group: GroupConfig) async throws -> MoverHolder {
        guard let interface = group.interface, let link = try netlink.link(named: interface) else { return .none }
        if let id = group.virtualMAC {
            let virtual = VirtualMAC(id: id)
            guard let macvlan = try netlink.link(named: virtual.interfaceName),
                isCurrent(macvlan, virtual, parent: link), macvlan.isUp
            else { return .none }
            let present = Set(try netlink.addresses(interfaceIndex: macvlan.index).map(\.prefix))
            return group.addresses.allSatisfy(present.contains) ? .this : .none
        }
        for placement in group.placements where !placement.addresses.isEmpty {
            guard let link = try netlink.link(named: placement.interface) else { return .none }
            let present = Set(try netlink.addresses(interfaceIndex: link.index).map(\.prefix))
            if !placement.addresses.allSatisfy(present.contains) { return .none }
        }
        return .this
    }

    // MARK: Keeping what is held

    /// Renews the lifetime of every held address and puts back any that is missing. The agent calls
    /// it every `renewalInterval`; `watch()` calls it at once when an address disappears.
    public func maintain() {
        for name in held.keys { maintain(name) }
    }

    /// Renews (or restores) the addresses of one held group.
    func maintain(_ name: String) {
        guard var entry = held[name] else { return }
        if let id = entry.group.virtualMAC, !entry.placements.isEmpty {
            guard let index = maintainVirtualMAC(entry, VirtualMAC(id: id)) else { return }
            entry.placements[0].index = index
            held[name]?.placements[0].index = index
        }
        // Too near its bound: leave the addresses to expire (they will, before the bound).
        guard let lifetime = kernelLifetime(entry.group) else { return }
        for placement in entry.placements {
            let present = Set((try? netlink.addresses(interfaceIndex: placement.index).map(\.prefix)) ?? [])
            for prefix in placement.addresses {
                do {
                    try netlink.addAddress(prefix, interfaceIndex: placement.index, lifetime: lifetime, replace: true)
                    if !present.contains(prefix) {
                        logger.warning("restored \(prefix) on \(placement.name) for group \(name): it was removed while this node holds the group")
                    }
                } catch {
                    logger.error("group \(name): could not renew \(prefix) on \(placement.name): \(error)")
                }
            }
        }
    }

    /// How often `maintain()` must run so that held addresses never expire: a third of the
    /// shortest lifetime of a held group, at least 1 s; nil when nothing held expires.
    public func renewalInterval() -> Duration? {
        let lifetimes = held.values.compactMap { entry -> Int? in
            if case .seconds(let seconds) = entry.group.addressLifetime { return seconds }
            return nil
        }
        guard let shortest = lifetimes.min() else { return nil }
        return max(.seconds(1), .seconds(shortest) / 3)
    }

    /// The renewal loop's next wait: the renewal interval, or (nil) a signal that the next claim
    /// finishes, set in the same actor turn so that no claim falls between the two.
    func renewalWait() -> (interval: Duration?, claim: OneShot<Void>?) {
        if let interval = renewalInterval() { return (interval, nil) }
        let signal = holdBegan ?? OneShot<Void>()
        holdBegan = signal
        return (nil, signal)
    }

    /// Keeps held addresses in place until the calling task is cancelled: renews on schedule and
    /// restores at once when the kernel reports an address of a held group removed. While nothing
    /// held expires it sleeps until a claim (the netlink watcher restores removed addresses); only
    /// without a watcher does it look every `idleCheck`.
    public func run(idleCheck: Duration = .seconds(1)) async {
        let watcher = try? NetlinkWatcher(namespace: namespace)
        defer { watcher?.stop() }
        await withTaskGroup(of: Void.self) { tasks in
            if let watcher {
                tasks.addTask { [self] in
                    for await event in watcher.events() {
                        if await self.concerns(event) { await self.maintain() }
                    }
                }
            }
            tasks.addTask { [self] in
                let clock = ContinuousClock()
                var next = clock.now
                while !Task.isCancelled {
                    let wait = await self.renewalWait()
                    if wait.interval == nil, watcher != nil, let claim = wait.claim {
                        await claim.value(onCancel: ())
                        next = clock.now
                        continue
                    }
                    next = next + (wait.interval ?? idleCheck)
                    if next < clock.now { next = clock.now }
                    do { try await clock.sleep(until: next, tolerance: .zero) } catch { break }
                    await self.maintain()
                }
            }
            await tasks.next()
            tasks.cancelAll()
            watcher?.stop()
        }
    }

    /// Whether a netlink event touches a held group (an address of it removed, a resync, a link change).
    func concerns(_ event: NetlinkEvent) -> Bool {
        switch event {
        case .addressRemoved(let info):
            return held.values.contains { entry in
                entry.placements.contains { $0.index == info.interfaceIndex && $0.addresses.contains(info.prefix) }
            }
        case .resynced, .linkChanged:
            return !held.isEmpty
        case .linkRemoved(let index):
            return held.values.contains { $0.placements.contains { $0.index == index } }
        case .addressAdded:
            return false
        }
    }

    // MARK: Helpers

    /// The group's `interface`; throws when the group has none or it does not exist.
    func parentLink(_ group: GroupConfig) throws -> LinkInfo {
        guard let interface = group.interface else { throw LocalMoverError.noInterface(group: group.name) }
        guard let link = try netlink.link(named: interface) else {
            throw LocalMoverError.missingInterface(interface, group: group.name)
        }
        return link
    }

    /// Deletes every address of the group from `link`; one that is not there (EADDRNOTAVAIL) is
    /// fine: releasing what is absent succeeds quietly. Returns the first other error.
    func removeAddresses(_ group: GroupConfig, from link: LinkInfo) -> LocalMoverError? {
        removeAddresses(group.addresses, of: group, index: link.index, name: link.name)
    }

    /// Deletes `prefixes` of `group` from the interface `index` (`name`), as above.
    func removeAddresses(_ prefixes: [IPPrefix], of group: GroupConfig, index: Int32, name: String) -> LocalMoverError? {
        var firstError: LocalMoverError?
        for prefix in prefixes {
            do {
                try netlink.deleteAddress(prefix, interfaceIndex: index)
            } catch {
                if error.errno != EADDRNOTAVAIL, firstError == nil {
                    firstError = LocalMoverError(group: group, interface: name, address: prefix, action: "remove", error)
                }
            }
        }
        return firstError
    }

    /// A follow-up announcement that comes this late was due while the process was stopped (a
    /// stall: SIGSTOP, a paused VM). It is skipped: whether this node still holds is for the engine
    /// to decide first (rule 8 of docs/decision.md), and an old schedule's announcement would point
    /// clients at a node that may be about to give the group up.
    static let overdue: Duration = .milliseconds(250)

    /// The rest of the claim's burst, the repeat burst after `repeat_after`, then a burst every
    /// `refresh`, until cancelled (on release or a new claim); each skipped when `overdue`.
    func followUps(_ group: GroupConfig, _ announcing: [(Announcer, [IPAddress])]) -> Task<Void, Never>? {
        let settings = group.announce
        guard settings.count > 1 || settings.repeatAfter != nil || settings.refresh != nil else { return nil }
        let logger = self.logger
        let name = group.name
        return Task {
            let clock = ContinuousClock()
            let start = clock.now
            do {
                for round in 1..<max(1, settings.count) {
                    let due = start + settings.spacing * round
                    try await clock.sleep(until: due, tolerance: .zero)
                    if clock.now - due < Self.overdue {
                        for (announcer, addresses) in announcing { try announcer.announceOnce(addresses) }
                    }
                }
                if let repeatAfter = settings.repeatAfter {
                    try await clock.sleep(until: start + repeatAfter, tolerance: .zero)
                    if clock.now - (start + repeatAfter) < Self.overdue { try await Self.burst(announcing) }
                }
                guard let refresh = settings.refresh else { return }
                var next = clock.now + refresh
                while !Task.isCancelled {
                    try await clock.sleep(until: next, tolerance: .zero)
                    if clock.now - next < Self.overdue { try await Self.burst(announcing) }
                    // A stall's missed refreshes are not made up: the schedule starts again from now.
                    next = max(next + refresh, clock.now + refresh)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("group \(name): announcement failed: \(error)")
            }
        }
    }
}
