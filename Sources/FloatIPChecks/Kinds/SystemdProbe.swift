import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the systemd check before it reaches main.
struct SystemdProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
