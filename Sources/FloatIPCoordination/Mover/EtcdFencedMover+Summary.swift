import FloatIPCore

extension EtcdFencedMover {
    /// The fenced mover's own.
    public nonisolated func claimSummary(of group: GroupConfig, took: Duration) -> String {
        inner.claimSummary(of: group, took: took)
    }

    /// The fenced mover's own.
    public nonisolated func holderSummary(of group: GroupConfig) -> String? { inner.holderSummary(of: group) }
}
