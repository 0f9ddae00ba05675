import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the interface check before it reaches main.
struct InterfaceProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig, context: CheckContext) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
