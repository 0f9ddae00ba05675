import FloatIPCore

// The local mover under etcd (LocalMover+Bound.swift): every add and renewal of an address uses a
// kernel lifetime of whole seconds that ends, with the kernel's slack, before the lease's earliest
// server expiry; the kernel deletes the address up to `kernelSlack` after its lifetime ends, also
// when the agent has crashed.
extension Simulation {
    /// Whole seconds of lifetime that fit before the bound now (`kernelLifetime`); 0 when none does.
    func lifetimeSeconds(_ node: Int, _ g: Int) -> Int64 {
        guard let bound = nodes[node].fenced[g].bound else { return 0 }
        let fits = bound - now - LocalBound.kernelSlack
        return fits > .zero ? fits.components.seconds : 0
    }

    /// The inner claim is done: the addresses are on the server now.
    mutating func placeAddresses(_ node: Int, _ g: Int, epoch: UInt64) {
        nodes[node].holds[g] = true
        nodes[node].holdStart[g] = now
        setLifetime(node, g, epoch: epoch)
        timeline.append(
            TimelineEntry(
                at: now, node: nodes[node].name, kind: .mover,
                text: "\(plan.groupNames[g]): addresses in place (etcd epoch \(epoch))"))
    }

    /// The inner release: the addresses are gone at once (also leftovers of an earlier run).
    mutating func removeAddresses(_ node: Int, _ g: Int) {
        nodes[node].addresses[g].generation += 1
        nodes[node].addresses[g].expiry = nil
        guard nodes[node].holds[g] else { return }
        nodes[node].holds[g] = false
        timeline.append(
            TimelineEntry(
                at: now, node: nodes[node].name, kind: .mover, text: "\(plan.groupNames[g]): addresses removed"))
    }

    /// `maintain(group)`: while the inner mover holds the group, renews (or puts back) its addresses
    /// with the lifetime that fits; leaves them to expire once less than a second fits.
    mutating func maintainAddresses(_ node: Int, _ g: Int) {
        guard nodes[node].isUp, let epoch = nodes[node].fenced[g].claimedEpoch, lifetimeSeconds(node, g) >= 1 else {
            return
        }
        if !nodes[node].holds[g] {
            nodes[node].holds[g] = true
            nodes[node].holdStart[g] = now
            timeline.append(
                TimelineEntry(
                    at: now, node: nodes[node].name, kind: .mover, text: "\(plan.groupNames[g]): addresses restored"))
        }
        setLifetime(node, g, epoch: epoch)
    }

    private mutating func setLifetime(_ node: Int, _ g: Int, epoch: UInt64) {
        let seconds = lifetimeSeconds(node, g)
        guard seconds >= 1 else { return }
        let slack = rng.duration(.zero, settings.kernelSlack)
        let expiry = now + .seconds(seconds) + slack
        nodes[node].addresses[g].generation += 1
        nodes[node].addresses[g].epoch = epoch
        nodes[node].addresses[g].expiry = expiry
        queue.schedule(
            .etcd(.addressExpiry(node: node, group: g, generation: nodes[node].addresses[g].generation)), at: expiry)
    }

    /// The kernel deletes the addresses; a running local mover that still holds the group puts them
    /// back if a lifetime still fits (its netlink watcher).
    mutating func addressExpired(_ node: Int, _ g: Int, generation: Int) {
        guard nodes[node].addresses[g].generation == generation, nodes[node].holds[g] else { return }
        nodes[node].holds[g] = false
        nodes[node].addresses[g].expiry = nil
        timeline.append(
            TimelineEntry(
                at: now, node: nodes[node].name, kind: .mover,
                text: "\(plan.groupNames[g]): addresses expired (kernel lifetime)"))
        maintainAddresses(node, g)
    }
}

/// The local mover's constant: the kernel deletes an address up to this long after its lifetime ends.
enum LocalBound {
    static let kernelSlack: Duration = .milliseconds(500)
}
