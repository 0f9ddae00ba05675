import Foundation

/// One set of AWS keys, as a request is signed with them: long-lived (an access key) or
/// temporary (with a session token and an expiration).
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretKey: String
    /// A temporary credential's session token (`X-Amz-Security-Token`); nil for an access key.
    public var sessionToken: String?
    /// When temporary keys stop working; nil for keys that do not expire.
    public var expiration: Date?
    /// Where they came from, for messages: `environment variables AWS_ACCESS_KEY_ID, …`.
    public var source: String

    public init(accessKeyID: String, secretKey: String, sessionToken: String? = nil, expiration: Date? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Names the source and the key id (an identifier, not a secret), never the secret or the token.
    public var description: String { "AWS credentials \(accessKeyID) from \(source)" }

    /// The secrets in them, for scrubbing.
    var secrets: [String] { [secretKey] + (sessionToken.map { [$0] } ?? []) }

    /// The signer for `region` and `service` with these keys.
    func signer(region: String, service: String) -> SigV4 {
        SigV4(accessKeyID: accessKeyID, secretKey: secretKey, sessionToken: sessionToken, region: region, service: service)
    }

    /// `2026-12-07T15:04:05Z` (fractional seconds allowed), as IMDS writes `Expiration`.
    static func parseTime(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
