import ArgumentParser
import FloatIPAssembly
import FloatIPCore

/// `floatip check-config FILE`: validates a config file the way the agent would load it, like `keepalived -t`.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file and the secret and token files it names.",
        discussion: """
            Reads FILE, checks every field (see docs/config.md), checks that secret_file (and \
            api.token_file, if given) exists, is readable and holds at least 16 bytes, and that the \
            program of every command check (without `shell: true`) exists and is executable, and that \
            every cloud mover's options are complete and its credential file or variable is readable. Every \
            file holding a secret (secret, token, credential, TSIG key, etcd password and TLS key) must \
            belong to root or the agent's user and be neither readable nor writable by others (an \
            error, as the agent refuses it too); one its group can read draws a warning; so do a process \
            check by name without `user:` (any local user can start a process of that name) and a `user:` \
            or `owner:` that this machine does not know, and an api.listen that is not a loopback address (the \
            API has no TLS).

            On success prints one summary line and exits 0: it ends with the links the groups track and \
            the check that tracks each (the implicit `link IFACE` unless the config has an interface check \
            on it; docs/config.md, "Interface tracking"). Otherwise prints every problem, one per \
            line as FILE:LINE: field: message, to standard error and exits 1.

            Example:
              $ floatip check-config /etc/floatip/web1.yaml
              /etc/floatip/web1.yaml: OK: cluster web, node web1, 1 peer, 1 group (2 addresses), 2 checks; \
            failover within 330 ms; links tracked: eth0 (implicit check `link eth0`)
              $ floatip check-config broken.yaml
              broken.yaml:7: timers.interval: `20` has no unit; units are required: write e.g. `20ms` or `20s` ...
            """
    )

    @Argument(help: "The YAML config file.") var file: String

    func run() throws {
        let yaml = try readConfigText(file)
        let config = try parseConfig(yaml, file: file)
        let found = ConfigValidation.validate(config, file: file, yaml: yaml)
        for warning in found.warnings { printError(warning.description) }
        guard found.problems.isEmpty else {
            for problem in found.problems { printError(problem.description) }
            throw ExitCode(1)
        }
        print("\(file): OK: \(config.summary)")
    }
}
