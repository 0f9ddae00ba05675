import FloatIPBGP
import FloatIPCore
import Glibc
import Logging

/// `mover: bgp`: the holder puts the group's addresses on `lo` (so services can bind them) and
/// announces each as a host route to its routers; the others announce nothing, so the routers send
/// the traffic to the holder. A killed holder's sessions close with it (the routers drop its
/// routes at once); a silent one's end after the hold time.
///
/// - `claim`: the addresses on `lo` first, then the announcement; returns once a session with a
///   router carries it (every established one has sent it), and fails, taking the addresses away,
///   when none does within `sessionWait` (3 s).
/// - `release`: the routes are announced as about to go for `drain` (GRACEFUL_SHUTDOWN, the worst
///   MED: routers move to the new holder's path), then withdrawn, then the addresses go.
/// - `holder`: this node while it announces the group; nobody otherwise (the routers know the rest).
public struct BGPMover: Mover, MoverTelemetrySource {
    public let speaker: BGPSpeaker
    public let settings: BGPMoverSettings
    /// The speaker's peers this group's routes go to.
    let peerIndices: Set<Int>
    let netlink: RouteNetlink
    let logger: Logger
    /// How long a claim waits for a session that carries the routes before it fails.
    let sessionWait: Duration

    /// `namespace`: where the addresses go on `lo` (nil: this process's namespace; tests set one).
    public init(
        speaker: BGPSpeaker, settings: BGPMoverSettings, namespace: String? = nil, sessionWait: Duration = .seconds(3),
        logger: Logger = .silent
    ) throws(NetlinkError) {
        self.speaker = speaker
        self.settings = settings
        peerIndices = Set(speaker.peers.indices.filter { settings.peers.contains(speaker.peers[$0].settings) })
        netlink = try RouteNetlink(namespace: namespace)
        self.sessionWait = sessionWait
        self.logger = logger
    }

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        let loopback = try loopbackIndex()
        let routes = settings.routes(for: group.addresses)
        for route in routes { try netlink.addAddress(route.prefix, interfaceIndex: loopback, replace: true) }
        await speaker.advertise(routes, for: group.name, to: peerIndices)
        // A claim no router heard would make this node the holder of an address nobody can reach:
        // it waits (bounded) for a session that carries the routes, and otherwise fails, so the
        // engine counts the mover as failing and another node takes the group.
        let clock = ContinuousClock()
        let end = clock.now + sessionWait
        while clock.now < end {
            if announcedSomewhere(routes) { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
        if announcedSomewhere(routes) { return }
        try await release(group, epoch: epoch, drain: false)
        throw BGPMoverError(message: "group \(group.name): no BGP session with a router is up to announce it (\(sessions)); "
            + "not claimed")
    }

    /// Whether an established session of this group's carries all of `routes`.
    private func announcedSomewhere(_ routes: [BGPRoute]) -> Bool {
        let prefixes = Set(routes.map(\.prefix))
        return speaker.statuses.enumerated().contains { index, status in
            peerIndices.contains(index) && status.state == BGPSession.State.established.rawValue
                && prefixes.isSubset(of: Set(status.announced))
        }
    }

    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        try await release(group, epoch: epoch, drain: true)
    }

    private func release(_ group: GroupConfig, epoch: UInt64, drain: Bool) async throws {
        // Announced here: first as about to go, so routers move to the new holder's path while
        // this one still carries traffic; then withdrawn.
        if drain, let routes = speaker.routes(of: group.name), settings.drain > .zero {
            await speaker.advertise(settings.draining(routes), for: group.name, to: peerIndices)
            try? await Task.sleep(for: settings.drain)
        }
        await speaker.advertise([], for: group.name, to: peerIndices)
        let loopback = try loopbackIndex()
        for route in settings.routes(for: group.addresses) { try removeAddress(route.prefix, loopback) }
    }

    /// Removes `prefix` from `lo`; one already gone is fine.
    private func removeAddress(_ prefix: IPPrefix, _ loopback: Int32) throws(NetlinkError) {
        do {
            try netlink.deleteAddress(prefix, interfaceIndex: loopback)
        } catch {
            if error.errno != EADDRNOTAVAIL { throw error }
        }
    }

    /// Puts back an address someone removed from `lo`, and the announcement.
    public func announce(_ group: GroupConfig) async throws {
        guard speaker.routes(of: group.name) != nil else { return }
        try await claim(group, epoch: 0)
    }

    public func holder(of group: GroupConfig) async throws -> MoverHolder {
        speaker.routes(of: group.name) == nil ? .none : .this
    }

    /// `claimed web: 198.18.0.100/32 on lo, announced to 198.18.0.254 (AS 65000): established in 2 ms`.
    public func claimSummary(of group: GroupConfig, took: Duration) -> String {
        let addresses = settings.routes(for: group.addresses).map(\.prefix.description).joined(separator: ", ")
        return "claimed \(group.name): \(addresses) on lo, announced to \(sessions) in \(took.shortDescription)"
    }

    public func holderSummary(of group: GroupConfig) -> String? { "sessions: \(sessions)" }

    /// Each of the group's peers and its session's state.
    private var sessions: String {
        speaker.statuses.enumerated().filter { peerIndices.contains($0.offset) }
            .map { "\($0.element.peer): \($0.element.state)" + ($0.element.lastDown.map { " (last down: \($0))" } ?? "") }
            .joined(separator: ", ")
    }

    private func loopbackIndex() throws(NetlinkError) -> Int32 {
        guard let link = try netlink.link(named: "lo") else { throw NetlinkError(operation: "find lo", errno: ENODEV, detail: "no loopback interface") }
        return link.index
    }

    /// For status: each of the group's sessions and what the router has from this node. What the
    /// router does with a route (its import filters, its best path) is not visible from here
    /// without BMP; an established session that took the UPDATE is as far as a speaker can know.
    public func telemetry() -> MoverTelemetry {
        var telemetry = MoverTelemetry(kind: MoverKind.bgp.rawValue)
        let statuses = speaker.statuses.enumerated().filter { peerIndices.contains($0.offset) }.map(\.element)
        telemetry.answer = statuses.map { status in
            "\(status.peer): \(status.state)" + (status.bfd.map { ", BFD \($0)" } ?? "")
                + (status.announced.isEmpty ? "" : ", announced " + status.announced.map(\.description).joined(separator: ", "))
        }.joined(separator: "; ")
        let announcedTo = statuses.filter { !$0.announced.isEmpty }.count
        telemetry.providerHoldsHere = announcedTo > 0
        telemetry.providerHolder = announcedTo > 0 ? "this node (announced to \(announcedTo) of \(statuses.count) routers)" : nil
        telemetry.lastError = statuses.compactMap { status in status.lastDown.map { "\(status.peer): \($0)" } }.first
        return telemetry
    }

    /// The agent's reconcile loop does not run for this mover (the routers hold no state to drift).
    public func noteDrift() {}
}

/// Why a claim failed: it names the group and each session's state.
public struct BGPMoverError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
