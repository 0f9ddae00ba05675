/// Who may change things through the API: the holder of the bearer token in `api.token_file`.
///
/// The token is read once at start (white space around it trimmed). With no token file configured,
/// every mutating request is refused.
public struct APIAuthorization: Sendable {
    /// The token's bytes; nil when no token file is configured.
    let token: [UInt8]?

    /// `token` as read from the token file (trimmed here), or nil for no token file.
    public init(token: String?) {
        self.token = token.map { Array($0.trimmingWhitespace().utf8) }
    }

    /// The verdict on a request's `Authorization` header value.
    public enum Verdict: Sendable, Equatable {
        case allowed
        /// No token file: 403.
        case notConfigured
        /// A missing or wrong token: 401, with why.
        case denied(String)
    }

    /// Whether `header` (the whole `Authorization` value) carries the token.
    public func check(_ header: String?) -> Verdict {
        guard let token else { return .notConfigured }
        guard let header, !header.isEmpty else {
            return .denied("this request needs the API token: send `Authorization: Bearer <token>` (from api.token_file)")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .denied("the Authorization header must be `Bearer <token>`")
        }
        let offered = Array(String(parts[1]).trimmingWhitespace().utf8)
        return Self.constantTimeEqual(offered, token) ? .allowed : .denied("wrong API token")
    }

    /// Compares two byte strings in time that depends only on their lengths, not on where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        difference |= UInt8(truncatingIfNeeded: (a.count ^ b.count) >> 8)
        let length = max(a.count, b.count)
        for index in 0..<length {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}

extension String {
    /// The text without white space and newlines at either end.
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
