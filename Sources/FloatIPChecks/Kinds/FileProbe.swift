import FloatIPCore
import FloatIPLinux
import Glibc

/// `kind: file`: a file exists, or (`expect: absent`) does not: the maintenance switch an operator
/// touches. One stat(2) per run, on a thread of its own so that a hung file system only times out.
struct FileProbe: CheckProbe {
    let check: CheckConfig
    let expectation: FileExpectation

    init(check: CheckConfig, options: FileCheckOptions) throws {
        self.check = check
        self.expectation = options.expect
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let path = check.target
        let found = await OffPoolCall.run(name: "floatip-check", timeout: check.timeout) { () -> Int32 in
            var info = stat()
            return stat(path, &info) == 0 ? 0 : errno
        }
        guard let found else {
            return .since(start, passed: false, "timeout: stat \(path) did not return within "
                + check.timeout.shortDescription)
        }
        switch (found, expectation) {
        case (0, .exists):
            return .since(start, passed: true, "\(path) exists")
        case (0, .absent):
            return .since(start, passed: false, "\(path) exists (the check expects it absent)")
        case (ENOENT, .exists), (ENOTDIR, .exists):
            return .since(start, passed: false, "\(path) does not exist")
        case (ENOENT, .absent), (ENOTDIR, .absent):
            return .since(start, passed: true, "\(path) is absent")
        default:
            return .since(start, passed: false, "cannot look at \(path): \(ProbeText.errorText(found))")
        }
    }
}
