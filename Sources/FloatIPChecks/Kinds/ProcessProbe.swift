import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the process check before it reaches main.
struct ProcessProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
