import FloatIPCore

/// Address lifetimes, and their bound when an arbiter (an etcd lease) grants holding for a limited time.
///
/// A killed agent's addresses stay until their kernel lifetime ends. With a bound, every add and
/// renewal uses a lifetime that ends, kernel slack included, before the bound, so the addresses
/// of a holder killed the moment after vanish before its lease can expire on the server, and so
/// before any peer can win the group.
extension LocalMover {
    /// How late the kernel deletes an address after its valid lifetime ends: it checks lifetimes
    /// on a timer rounded to a quarter second (measured here: 1.00–1.17 s for a 1 s lifetime).
    public static let kernelSlack: Duration = .milliseconds(500)

    public func bound(_ group: String, goneBy instant: Instant?) {
        lifetimeBounds[group] = instant?.continuous
        // Renew now: the bound moves after each lease renewal, and the lifetimes move with it.
        if instant != nil { maintain(group) }
    }

    /// The kernel lifetime to add or renew `group`'s addresses with now: its `address_lifetime`,
    /// shortened to end `kernelSlack` before its bound; nil when not even one second fits.
    func kernelLifetime(_ group: GroupConfig) -> KernelLifetime? {
        var seconds: Int64?
        if case .seconds(let configured) = group.addressLifetime { seconds = Int64(configured) }
        if let bound = lifetimeBounds[group.name] {
            let fits = (bound - .now - Self.kernelSlack).components.seconds
            guard fits >= 1 else { return nil }
            seconds = min(seconds ?? fits, fits)
        }
        guard let seconds else { return .forever }
        return .seconds(valid: UInt32(seconds), preferred: UInt32(seconds))
    }
}
