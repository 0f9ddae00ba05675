import FloatIPCore

// PLACEHOLDER on branch checks-base only: replaced by the file check before it reaches main.
struct FileProbe: CheckProbe {
    let check: CheckConfig
    init(check: CheckConfig, options: FileCheckOptions) throws { self.check = check }
    func run() async -> CheckResult { CheckResult(passed: false, detail: "not implemented", duration: .zero) }
}
