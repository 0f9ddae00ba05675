import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the ping check before it reaches main.
struct PingProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig, options: PingCheckOptions, context: CheckContext) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
