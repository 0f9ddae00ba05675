import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the tcp check before it reaches main.
struct TCPProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig, options: TCPCheckOptions) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
