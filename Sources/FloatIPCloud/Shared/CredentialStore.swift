import Foundation
import Synchronization

/// A mover's credentials, read when they are used: a missing or unreadable file fails that
/// operation with a clear message (the agent keeps running, shows the failure and retries), and
/// a fixed or rotated file is picked up without a restart. Remembers every value it has read, so
/// `ProviderHTTP` can scrub them all from messages.
public final class CredentialStore: Sendable {
    let options: [String: String]
    let names: [(name: String, what: String)]
    let environment: [String: String]
    private let seen = Mutex<Set<String>>([])

    public init(options: [String: String], names: [(name: String, what: String)], environment: [String: String]) {
        self.options = options
        self.names = names
        self.environment = environment
    }

    /// The credential `name` now, or a `CredentialProblem` naming the option and what is wrong.
    public func value(_ name: String) throws(CredentialProblem) -> String {
        let what = names.first { $0.name == name }?.what ?? name
        let credential = try Credential.load(options, name: name, what: what, environment: environment).get()
        seen.withLock { _ = $0.insert(credential.value) }
        return credential.value
    }

    /// Whether the options name a source for `name` (an optional credential may be unset).
    public func isNamed(_ name: String) -> Bool { options["\(name)_file"] != nil || options["\(name)_env"] != nil }

    /// Adds secrets found elsewhere (a credential chain, an instance metadata token) to those
    /// scrubbed from every message.
    public func remember(_ values: [String]) { seen.withLock { $0.formUnion(values.filter { !$0.isEmpty }) } }

    /// Every value read so far (for scrubbing messages).
    public var values: [String] { seen.withLock { Array($0) } }

    /// Reads every credential once, so their values are known for scrubbing from the first call;
    /// returns the problems (for the log at start).
    public func preload() -> [CredentialProblem] {
        names.filter { isNamed($0.name) }.compactMap { entry -> CredentialProblem? in
            let what = entry.what
            guard case .failure(let problem) = Credential.load(options, name: entry.name, what: what, environment: environment)
            else {
                _ = try? value(entry.name)
                return nil
            }
            return problem
        }
    }
}

extension CredentialProblem: CustomStringConvertible {
    public var description: String { "mover.\(key): \(message)" }
}
