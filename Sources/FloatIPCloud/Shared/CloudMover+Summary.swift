import FloatIPCore

extension CloudMover {
    /// For the DNS movers over an API (`cloudflare`, `route53`): the record as the provider answers it.
    public func holderSummary(of group: GroupConfig) -> String? {
        guard group.mover.kind.rewritesDNSRecord else { return nil }
        return "\(group.mover.options["name"] ?? "?") has " + (telemetry().providerHolder ?? "no A/AAAA record")
            + " at \(group.mover.kind.rawValue)"
    }
}
