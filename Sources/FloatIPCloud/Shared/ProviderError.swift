/// A provider call that failed, with what the provider said. Never carries credentials: messages
/// pass through `ProviderHTTP`, which scrubs every secret it was given.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `DigitalOcean`, `AWS EC2`, …
    public var provider: String
    /// The call, as `METHOD /path`.
    public var call: String
    /// The HTTP status, when the provider answered.
    public var status: Int?
    /// The provider's own message (or what went wrong on the way there).
    public var message: String
    /// How the call failed.
    public var kind: Kind

    public enum Kind: Sendable, Equatable {
        /// The provider answered with an error status (after retries, if it was retryable).
        case rejected
        /// No answer: timeout, refused connection, reset.
        case transport
        /// An answer we cannot read (malformed JSON or XML, missing fields).
        case malformed
        /// The claim or release deadline passed before the provider agreed.
        case deadline
        /// A fenced write lost: someone else changed the address first (OpenStack 412).
        case conflict
        /// An asynchronous action the provider started ended in error.
        case actionFailed
    }

    public init(provider: String, call: String, status: Int? = nil, message: String, kind: Kind = .rejected) {
        self.provider = provider
        self.call = call
        self.status = status
        self.message = message
        self.kind = kind
    }

    /// This error with the option that names the missing thing, when the provider answered 404
    /// (`… was not found (check `instance`)`).
    public func namingOption(_ option: String) -> ProviderError {
        guard status == 404 else { return self }
        var named = self
        named.message += " (check `\(option)`)"
        return named
    }

    public var description: String {
        let status = status.map { " HTTP \($0)" } ?? ""
        return "\(provider) \(call):\(status) \(message)"
    }
}
