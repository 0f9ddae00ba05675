extension Mover {
    /// A mover through a provider's API: the addresses (or, for the DNS movers over an API, the
    /// record) and, from its telemetry, the calls made and the holder the provider reports.
    public func claimSummary(of group: GroupConfig, took: Duration) -> String {
        let addresses = group.mover.kind.rewritesDNSRecord
            ? "the record of \(group.mover.options["name"] ?? "?")"
            : group.addresses.map(\.description).joined(separator: ", ")
        let telemetry = (self as? any MoverTelemetrySource)?.telemetry()
        return "claimed \(group.name): \(addresses) through \(group.mover.kind.rawValue) in \(took.shortDescription)"
            + (telemetry.map { "; \($0.calls) API call(s), the provider reports holder \($0.providerHolder ?? "none")" } ?? "")
    }

    public func holderSummary(of group: GroupConfig) -> String? { nil }
}
