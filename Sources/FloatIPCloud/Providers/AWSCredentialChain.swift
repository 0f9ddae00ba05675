import FloatIPLinux
import Foundation
import Synchronization

/// Where the `aws` mover's keys come from.
public enum AWSCredentialSource: Sendable, Equatable {
    /// `access_key_id` with `secret_key_file`/`secret_key_env` (and optionally
    /// `session_token_file`/`session_token_env`): these keys and no others.
    case options(accessKeyID: String)
    /// `profile`: that profile of the shared credentials file and no other source (as an SDK given
    /// a profile by name).
    case profile(String)
    /// The AWS SDKs' default chain: the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`), then the shared credentials file's profile (`AWS_PROFILE`, else
    /// `default`), then the instance profile through IMDSv2 (unless `AWS_EC2_METADATA_DISABLED=true`).
    case chain
}

/// The `aws` mover's credentials, found at each call in the order of `source`. Keys from the
/// options, the environment or the file are read every time (a rotated file is picked up); the
/// instance profile's temporary keys are kept until shortly before their `Expiration` (5 minutes
/// before, or half their lifetime for short ones), and kept on past that if the service cannot be
/// reached and they have not yet expired. Every secret found is handed to the store for scrubbing.
public final class AWSCredentialChain: Sendable {
    public let source: AWSCredentialSource
    /// `shared_credentials_file`, when set.
    let sharedFile: String?
    let store: CredentialStore
    let metadata: AWSInstanceMetadata
    private let cached = Mutex<(credentials: AWSCredentials, refreshAt: Date)?>(nil)

    public init(source: AWSCredentialSource, sharedFile: String?, store: CredentialStore, metadata: AWSInstanceMetadata) {
        self.source = source
        self.sharedFile = sharedFile
        self.store = store
        self.metadata = metadata
    }

    /// The keys to sign with now. Throws a `CredentialProblem` (naming the option or variable) or,
    /// for the instance profile, the metadata service's `ProviderError`.
    public func current(deadline: ContinuousClock.Instant) async throws -> AWSCredentials {
        if let found = try Self.local(source, sharedFile: sharedFile, store: store) {
            store.remember(found.secrets)
            return found
        }
        if let kept = cached.withLock({ $0 }), Date() < kept.refreshAt { return kept.credentials }
        guard store.environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" else {
            throw CredentialProblem(key: "access_key_id", message: Self.nothingFound + " (AWS_EC2_METADATA_DISABLED=true "
                + "rules out the instance profile)")
        }
        do {
            let fresh = try await metadata.credentials(deadline: deadline)
            store.remember(fresh.secrets)
            let now = Date()
            let lifetime = fresh.expiration.map { $0.timeIntervalSince(now) } ?? 0
            let refreshAt = fresh.expiration.map { $0.addingTimeInterval(-min(300, max(lifetime, 0) / 2)) } ?? now
            cached.withLock { $0 = (fresh, refreshAt) }
            return fresh
        } catch {
            // The service is briefly unreachable: keys that have not yet expired still sign.
            if let kept = cached.withLock({ $0 }), let expiration = kept.credentials.expiration, Date() < expiration {
                return kept.credentials
            }
            throw Self.explained(error, "asked because none of the other sources has keys: " + Self.nothingFound)
        }
    }

    /// A metadata service that did not answer, with why it was asked (off EC2, the reason is the
    /// missing configuration, not the service).
    static func explained(_ error: any Error, _ why: String) -> any Error {
        guard var failure = error as? ProviderError, [.transport, .deadline].contains(failure.kind) else { return error }
        failure.message += " (\(why))"
        return failure
    }

    static let nothingFound = "no AWS credentials: `access_key_id` is not set, AWS_ACCESS_KEY_ID is not in the "
        + "agent's environment, and the shared credentials file has no such profile"

    /// The keys found without the metadata service: from the options, the environment or the shared
    /// file; nil when the chain goes on to the instance profile. No network; `check-config` uses it.
    static func local(
        _ source: AWSCredentialSource, sharedFile: String?, store: CredentialStore
    ) throws(CredentialProblem) -> AWSCredentials? {
        let environment = store.environment
        switch source {
        case .options(let accessKeyID):
            let secret = try store.value("secret_key")
            let token = store.isNamed("session_token") ? try store.value("session_token") : nil
            return AWSCredentials(accessKeyID: accessKeyID, secretKey: secret, sessionToken: token, source: "the mover's options")
        case .profile(let name):
            guard let found = try fromFile(profile: name, explicit: true, sharedFile: sharedFile, environment: environment) else {
                throw CredentialProblem(key: "profile", message: "profile [\(name)] is not in \(filePath(sharedFile, environment) ?? "the shared credentials file")")
            }
            return found
        case .chain:
            if let found = try fromEnvironment(environment) { return found }
            // A profile named by AWS_PROFILE must be there (as the SDKs insist); `default` may be missing.
            let named = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
            return try fromFile(
                profile: named ?? "default", explicit: named != nil, sharedFile: sharedFile, environment: environment,
                origin: named != nil ? " (named by AWS_PROFILE)" : "")
        }
    }

    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`); nil when neither is set.
    static func fromEnvironment(_ environment: [String: String]) throws(CredentialProblem) -> AWSCredentials? {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let id = value("AWS_ACCESS_KEY_ID"), secret = value("AWS_SECRET_ACCESS_KEY")
        switch (id, secret) {
        case (nil, nil):
            return nil
        case (let id?, let secret?):
            return AWSCredentials(
                accessKeyID: id, secretKey: secret, sessionToken: value("AWS_SESSION_TOKEN"),
                source: "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
        case (nil, _):
            throw CredentialProblem(key: "access_key_id", message: "the agent's environment has AWS_SECRET_ACCESS_KEY "
                + "but no AWS_ACCESS_KEY_ID; set both, or neither")
        case (_, nil):
            throw CredentialProblem(key: "access_key_id", message: "the agent's environment has AWS_ACCESS_KEY_ID "
                + "but no AWS_SECRET_ACCESS_KEY; set both, or neither")
        }
    }

    /// `shared_credentials_file`, else `AWS_SHARED_CREDENTIALS_FILE`, else `$HOME/.aws/credentials`.
    static func filePath(_ sharedFile: String?, _ environment: [String: String]) -> String? {
        if let sharedFile { return sharedFile }
        if let path = environment["AWS_SHARED_CREDENTIALS_FILE"], !path.isEmpty { return path }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home.hasSuffix("/") ? home : home + "/") + ".aws/credentials"
    }

    /// The profile's keys from the shared file. A file that is not there, or has no such profile,
    /// is nil (the chain goes on) unless the profile was named (`explicit`: `profile`, or
    /// AWS_PROFILE, said in `origin`); a file that is there but unreadable, refused by the
    /// secret-file rule, or with half a key is a problem.
    static func fromFile(
        profile: String, explicit: Bool, sharedFile: String?, environment: [String: String], origin: String = ""
    ) throws(CredentialProblem) -> AWSCredentials? {
        let key = sharedFile != nil ? "shared_credentials_file" : "profile"
        guard let path = filePath(sharedFile, environment) else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            guard explicit || sharedFile != nil else { return nil }
            throw CredentialProblem(key: key, message: "\(path) does not exist; it must be an AWS shared credentials "
                + "file with profile [\(profile)]\(origin)")
        }
        guard !isDirectory.boolValue else {
            throw CredentialProblem(key: key, message: "\(path) is a directory; it must be an AWS shared credentials file")
        }
        if let refusal = SecretFileRule.check(path).refusal { throw CredentialProblem(key: key, message: refusal) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialProblem(key: key, message: "\(path) is not readable by this user; the agent must be able to read it")
        }
        switch AWSSharedCredentialsFile.lookup(profile, in: String(decoding: data, as: UTF8.self)) {
        case .found(let id, let secret, let token):
            return AWSCredentials(accessKeyID: id, secretKey: secret, sessionToken: token, source: "\(path) profile [\(profile)]")
        case .absent:
            guard explicit else { return nil }
            throw CredentialProblem(key: "profile", message: "\(path) has no keys under profile [\(profile)]\(origin)")
        case .incomplete(let message):
            throw CredentialProblem(key: "profile", message: "\(path): \(message)")
        }
    }
}
