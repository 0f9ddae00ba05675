extension AgentStatus {
    /// A span in words for people: `850 ms`, `12.3 s`, `4 min`, `3.5 h`.
    public static func age(_ milliseconds: Double) -> String {
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded())) ms" }
        if milliseconds < 60_000 { return "\((milliseconds / 100).rounded() / 10) s" }
        if milliseconds < 3_600_000 { return "\(Int((milliseconds / 60_000).rounded())) min" }
        return "\((milliseconds / 360_000).rounded() / 10) h"
    }
}
