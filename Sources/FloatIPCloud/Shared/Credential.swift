import FloatIPLinux
import Foundation

/// A secret a mover needs (an API token, a password, a secret key), read from a file or from an
/// environment variable that the mover's options name, never from the YAML itself.
///
/// `name_file: /etc/floatip/do.token` or `name_env: DO_TOKEN` (exactly one). The value is
/// never printed: `description` says only where it came from.
public struct Credential: Sendable, CustomStringConvertible {
    /// The secret, trimmed of surrounding white space.
    public let value: String
    /// `file /etc/floatip/do.token` or `environment variable DO_TOKEN`.
    public let source: String

    public init(value: String, source: String) {
        self.value = value
        self.source = source
    }

    public var description: String { "credential from \(source)" }

    /// Checks the options name exactly one source for `name` (no I/O): problems as (key, message).
    static func optionProblems(_ options: [String: String], name: String, what: String) -> [(String, String)] {
        let file = options["\(name)_file"], env = options["\(name)_env"]
        switch (file, env) {
        case (nil, nil):
            return [("\(name)_file", "missing: set `\(name)_file` (a file holding the \(what)) or `\(name)_env` (an "
                + "environment variable holding it); the \(what) never goes in the YAML itself")]
        case (.some, .some):
            return [("\(name)_env", "set either `\(name)_file` or `\(name)_env`, not both")]
        case (.some(let path), nil):
            return path.hasPrefix("/") ? [] : [("\(name)_file", "`\(path)` is not an absolute path")]
        case (nil, .some(let variable)):
            let valid = !variable.isEmpty && variable.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F
            }
            return valid ? [] : [("\(name)_env", "`\(variable)` is not an environment variable name (letters, digits, `_`)")]
        }
    }

    /// Problems with the source the options name: the file missing, unreadable, empty or a directory;
    /// the variable unset or empty; the file refused by `SecretFileRule`. Messages never include the
    /// secret. Warnings: a file its group can read.
    static func sourceProblems(
        _ options: [String: String], name: String, what: String, environment: [String: String]
    ) -> (problems: [(String, String)], warnings: [(String, String)]) {
        switch load(options, name: name, what: what, environment: environment) {
        case .success:
            guard let path = options["\(name)_file"], let warning = SecretFileRule.check(path).warning else { return ([], []) }
            return ([], [("\(name)_file", warning)])
        case .failure(let problem):
            return ([(problem.key, problem.message)], [])
        }
    }

    /// Reads the secret named by `name_file` or `name_env`.
    static func load(
        _ options: [String: String], name: String, what: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Result<Credential, CredentialProblem> {
        if let path = options["\(name)_file"] {
            let key = "\(name)_file"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                return .failure(CredentialProblem(key: key, message: "\(path) does not exist; it must hold the \(what)"))
            }
            guard !isDirectory.boolValue else {
                return .failure(CredentialProblem(key: key, message: "\(path) is a directory; it must be a file holding the \(what)"))
            }
            if let refusal = SecretFileRule.check(path).refusal {
                return .failure(CredentialProblem(key: key, message: refusal))
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                return .failure(CredentialProblem(key: key, message: "\(path) is not readable by this user; the agent must be able to read it"))
            }
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                return .failure(CredentialProblem(key: key, message: "\(path) is empty; it must hold the \(what)"))
            }
            return .success(Credential(value: value, source: "file \(path)"))
        }
        if let variable = options["\(name)_env"] {
            let key = "\(name)_env"
            guard let raw = environment[variable] else {
                return .failure(CredentialProblem(key: key, message: "environment variable \(variable) is not set; it must hold the \(what)"))
            }
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                return .failure(CredentialProblem(key: key, message: "environment variable \(variable) is empty; it must hold the \(what)"))
            }
            return .success(Credential(value: value, source: "environment variable \(variable)"))
        }
        return .failure(CredentialProblem(key: "\(name)_file", message: "missing: set `\(name)_file` or `\(name)_env`"))
    }
}

/// Why a credential could not be read: the option at fault and what is wrong (never the secret).
public struct CredentialProblem: Error, Sendable, Equatable {
    public var key: String
    public var message: String
}
