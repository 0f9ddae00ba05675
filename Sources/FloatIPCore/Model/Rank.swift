/// The order in which nodes deserve a group: higher effective priority first, then the
/// lexically smaller node name (so every node computes the same order from the same facts).
public struct Rank: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var priority: Int
    public var node: String

    public init(priority: Int, node: String) {
        self.priority = priority
        self.node = node
    }

    /// `a < b` means `a` ranks *below* `b`.
    public static func < (a: Rank, b: Rank) -> Bool {
        if a.priority != b.priority { return a.priority < b.priority }
        return a.node > b.node
    }

    public var description: String { "\(node) (priority \(priority))" }
}
