import Foundation

/// How the lab (the demo, the chaos run and its report) writes times and shares: one formatter,
/// so the same outage reads the same everywhere.
public enum LabText {
    /// `Duration` as seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Milliseconds to a tenth, as a number (for JSON).
    public static func milliseconds(_ duration: Duration) -> Double { (seconds(duration) * 10_000).rounded() / 10 }

    /// `340 ms`, `6.9 ms`, `2.10 s`.
    public static func duration(_ duration: Duration) -> String {
        let value = seconds(duration)
        if value >= 1 { return String(format: "%.2f s", value) }
        return value * 1000 >= 10 ? "\(Int((value * 1000).rounded())) ms" : String(format: "%.1f ms", value * 1000)
    }

    /// `  12.345 s`: an offset from the start of a run, aligned.
    public static func offset(_ duration: Duration) -> String { String(format: "%8.3f s", seconds(duration)) }

    /// `99.656 %`: `part` of `whole` (0 when `whole` is 0).
    public static func percent(_ part: Int, of whole: Int) -> String {
        String(format: "%.3f %%", whole == 0 ? 0 : 100 * Double(part) / Double(whole))
    }

    /// The last `lines` lines of the file at `path` ("" when unreadable), for error messages.
    public static func tail(of path: String, lines: Int) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
