import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the http check before it reaches main.
struct HTTPProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig, options: HTTPCheckOptions) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
