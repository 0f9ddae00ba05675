import FloatIPCore

/// One line of a run's story: what happened, when, where.
public struct TimelineEntry: Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case fault, role, reason, mover, violation }
    public var at: Instant
    public var node: String?
    public var kind: Kind
    public var text: String

    public var description: String {
        let time = String(format3(Double(at.nanoseconds) / 1e9)) + " s"
        let who = node.map { $0.padding(3) } ?? "   "
        let mark: String =
            switch kind {
            case .fault: "!"
            case .role: "→"
            case .reason: "·"
            case .mover: "⇄"
            case .violation: "✗"
            }
        return "\(time.leftPadding(10))  \(who) \(mark) \(text)"
    }
}

private func format3(_ value: Double) -> String {
    let thousandths = Int64((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
