import FloatIPCore

extension DNSMover {
    /// The record as the last update left it, with the servers' answers (`DNSMoverStatus`).
    public func claimSummary(of group: GroupConfig, took: Duration) -> String {
        "claimed \(group.name) in \(took.shortDescription): \(status)"
    }

    public func holderSummary(of group: GroupConfig) -> String? { "\(status)" }
}
