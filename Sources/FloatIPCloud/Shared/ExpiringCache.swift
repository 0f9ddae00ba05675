import Foundation
import Synchronization

/// A provider's value that expires (a token, with what came with it), cached until a minute before
/// it does: Keystone's token and network endpoint, Google's and Azure's OAuth tokens.
final class ExpiringCache<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var value: Value
        /// Nil: the provider said no expiry; kept until a call is refused (`fresh`).
        var expiresAt: Date?
    }

    private let cached = Mutex<Entry?>(nil)

    /// The cached value, or a new one from `fetch` when there is none, it is about to expire, or `fresh`.
    func value(fresh: Bool, _ fetch: () async throws -> Entry) async throws -> Value {
        if !fresh, let entry = cached.withLock({ $0 }), entry.expiresAt.map({ $0.timeIntervalSinceNow > 60 }) ?? true {
            return entry.value
        }
        let entry = try await fetch()
        cached.withLock { $0 = entry }
        return entry.value
    }

    /// The cached value as it is (for an operation's polls, right after the call that started it).
    func peek() -> Value? { cached.withLock { $0?.value } }
}
