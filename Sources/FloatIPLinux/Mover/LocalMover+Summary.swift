import FloatIPCore

extension LocalMover {
    /// The addresses on the interface; a claim includes the first burst of announcements.
    public nonisolated func claimSummary(of group: GroupConfig, took: Duration) -> String {
        let addresses = group.addresses.map(\.description).joined(separator: ", ")
        return "claimed \(group.name): \(addresses) on \(group.interface ?? "?") in \(took.shortDescription) "
            + "(with the first announcement burst)"
    }
}
