import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the log check before it reaches main.
struct LogProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig, options: LogCheckOptions) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
