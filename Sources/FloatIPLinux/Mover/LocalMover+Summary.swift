import FloatIPCore

extension LocalMover {
    /// The addresses on the interface (each on its own, for a group across interfaces); a claim
    /// includes the first burst of announcements.
    public nonisolated func claimSummary(of group: GroupConfig, took: Duration) -> String {
        let placed = group.placements.filter { !$0.addresses.isEmpty }.map { placement in
            placement.addresses.map(\.description).joined(separator: ", ") + " on \(placement.interface)"
        }
        return "claimed \(group.name): \(placed.isEmpty ? "nothing" : placed.joined(separator: "; ")) in "
            + "\(took.shortDescription) (with the first announcement burst)"
    }
}
