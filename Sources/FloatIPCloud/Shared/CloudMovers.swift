import AsyncHTTPClient
import FloatIPCore
import FloatIPLinux
import Foundation
import Logging

/// One problem with a group's cloud mover settings: the field relative to the group
/// (`mover.token_file`, `interface`) and what is wrong. Warnings do not stop the agent.
public struct MoverOptionProblem: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var isWarning: Bool

    public var description: String { "\(field): \(isWarning ? "warning: " : "")\(message)" }

    public init(field: String, message: String, isWarning: Bool) {
        self.field = field
        self.message = message
        self.isWarning = isWarning
    }
}

/// Why a cloud mover could not be made: every problem, each naming the group and the field.
public struct CloudSetupError: Error, Sendable, CustomStringConvertible {
    public var group: String
    public var problems: [MoverOptionProblem]

    public var description: String {
        problems.filter { !$0.isWarning }.map { "group \(group): \($0)" }.joined(separator: "\n")
    }
}

/// Validates and makes cloud movers of any provider type (`MoverSet` in the executable says which
/// type serves which kind).
public enum CloudMovers {
    /// Problems with `group`'s mover options. With `credentials: true` it also reads the credential
    /// files and variables (as `check-config` and the agent do); the values are never shown.
    /// `nodeAddress` is this node's own address (the DNS movers publish it).
    public static func problems<P: CloudProvider>(
        _: P.Type, group: GroupConfig, credentials: Bool, nodeAddress: IPAddress? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [MoverOptionProblem] {
        var check = OptionCheck(group.mover.options, nodeAddress: nodeAddress, addresses: group.addresses)
        _ = CloudCommonSettings.read(&check, for: P.self)
        _ = P.settings(&check)
        let store = CredentialStore(options: group.mover.options, names: P.credentials, environment: environment)
        // An optional credential left unset is not a problem: the provider gets a token another way.
        let named = P.credentials.filter { !P.credentialsOptional || store.isNamed($0.name) }
        for credential in named { check.credential(credential.name, credential.what) }
        check.finish(kind: P.kind)
        var problems = check.problems.map { MoverOptionProblem(field: "mover.\($0.key)", message: $0.message, isWarning: false) }
        if P.needsLocalAddress(group.mover.options), group.interface == nil {
            problems.append(MoverOptionProblem(
                field: "interface",
                message: "missing: the `\(P.kind.rawValue)` mover also configures the addresses on this server "
                    + "(\(P.name) routes them but does not configure them); set e.g. `interface: eth0`",
                isWarning: false))
        }
        guard credentials, problems.isEmpty else { return problems }
        for (key, message) in P.otherCredentialProblems(group.mover.options, environment: environment) {
            problems.append(MoverOptionProblem(field: "mover.\(key)", message: message, isWarning: false))
        }
        for credential in named {
            let found = Credential.sourceProblems(
                group.mover.options, name: credential.name, what: credential.what, environment: environment)
            problems += found.problems.map { MoverOptionProblem(field: "mover.\($0.0)", message: $0.1, isWarning: false) }
            problems += found.warnings.map { MoverOptionProblem(field: "mover.\($0.0)", message: $0.1, isWarning: true) }
            if found.problems.isEmpty, let value = try? store.value(credential.name),
                let problem = P.credentialProblem(credential.name, value: value) {
                let key = group.mover.options["\(credential.name)_file"] != nil ? "\(credential.name)_file" : "\(credential.name)_env"
                problems.append(MoverOptionProblem(field: "mover.\(key)", message: problem, isWarning: false))
            }
        }
        return problems
    }

    /// Whether `group`'s mover also needs the local mover (its addresses configured here too):
    /// when the provider requires it, or when the group names an `interface`.
    public static func composesWithLocal<P: CloudProvider>(_: P.Type, group: GroupConfig) -> Bool {
        P.needsLocalAddress(group.mover.options) || group.interface != nil
    }

    /// The mover for `group`: a `CloudMover` of `P`, composed with `local` when given. Throws on
    /// option problems only: credentials are read at each operation, so a missing credential file
    /// fails claims (shown in status, retried by the agent) instead of stopping the agent.
    /// `logger` gets one line for everything the mover does on its own (a claim over another holder).
    public static func make<P: CloudProvider>(
        _: P.Type, group: GroupConfig, local: LocalMover?, nodeAddress: IPAddress? = nil, client: HTTPClient = .providers,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = .silent
    ) throws(CloudSetupError) -> any Mover & MoverTelemetrySource {
        let found = problems(P.self, group: group, credentials: false, nodeAddress: nodeAddress, environment: environment)
        guard found.isEmpty else { throw CloudSetupError(group: group.name, problems: found) }
        var check = OptionCheck(group.mover.options, nodeAddress: nodeAddress, addresses: group.addresses)
        let common = CloudCommonSettings.read(&check, for: P.self)
        guard let settings = P.settings(&check) else {
            throw CloudSetupError(group: group.name, problems: [MoverOptionProblem(field: "mover", message: "invalid options", isWarning: false)])
        }
        let credentials = CredentialStore(options: group.mover.options, names: P.credentials, environment: environment)
        for problem in credentials.preload() {
            logger.error("group \(group.name): \(problem); the mover fails until it is fixed (read again at every operation)")
        }
        let recorder = TelemetryRecorder(kind: P.kind.rawValue)
        let http = ProviderHTTP(
            provider: P.name, policy: RetryPolicy(requestTimeout: common.requestTimeout), telemetry: recorder,
            secrets: { credentials.values }, client: client,
            describe: { P.errorMessage($0) }, isThrottled: { P.isThrottled($0) })
        let context = CloudContext(
            http: http, endpoint: common.endpoint, credentials: credentials, pollInterval: common.pollInterval)
        let cloud = CloudMover(provider: P(settings: settings, context: context), common: common, recorder: recorder, logger: logger)
        guard let local, composesWithLocal(P.self, group: group) else { return cloud }
        return LocalComposedMover(cloud: cloud, local: local)
    }

    /// The `reconcile_interval` of a cloud mover's options (the default when unset or invalid).
    public static func reconcileInterval<P: CloudProvider>(_: P.Type, group: GroupConfig) -> Duration {
        var check = OptionCheck(group.mover.options)
        return CloudCommonSettings.read(&check, for: P.self).reconcileInterval
    }
}
