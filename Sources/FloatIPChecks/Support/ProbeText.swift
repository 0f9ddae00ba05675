import FloatIPCore
import Glibc

/// Small pieces of text every probe writes the same way.
enum ProbeText {
    /// `0.21 ms`, `12.3 ms`, `1.5 s`: a round trip or a run time, with two digits below 10 ms.
    static func time(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000
            + Double(duration.components.attoseconds) / 1e15
        if milliseconds < 10 {
            let hundredths = Int((milliseconds * 100).rounded())
            let fraction = hundredths % 100
            return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) ms"
        }
        return duration.shortDescription
    }

    /// The C library's text for an errno value (`No such file or directory`).
    static func errorText(_ number: Int32) -> String {
        guard let text = strerror(number) else { return "errno \(number)" }
        return String(cString: text)
    }
}

extension CheckResult {
    /// A result whose duration runs from `start` until now.
    static func since(_ start: ContinuousClock.Instant, passed: Bool, _ detail: String) -> CheckResult {
        CheckResult(passed: passed, detail: detail, duration: ContinuousClock.now - start)
    }
}
