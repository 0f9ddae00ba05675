import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the command check before it reaches main.
struct CommandProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig, options: CommandCheckOptions) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
