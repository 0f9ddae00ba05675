import Foundation
import Synchronization

/// The EC2 instance metadata service, version 2 only (IMDSv2): a session token from
/// `PUT /latest/api/token` (its lifetime asked for in `X-aws-ec2-metadata-token-ttl-seconds`),
/// then `GET /latest/…` with the token in `X-aws-ec2-metadata-token`. The token is kept until
/// shortly before its lifetime ends; a 401 (a token the service no longer knows) gets a fresh one
/// and the request once more. Written from "Use the Instance Metadata Service to access instance
/// metadata" and "Retrieve security credentials from instance metadata" in the EC2 user guide.
public final class AWSInstanceMetadata: Sendable {
    /// The service's address on every instance.
    public static let defaultEndpoint = "http://169.254.169.254"
    /// The longest token lifetime the service grants: 6 hours.
    public static let maximumTokenTTL = 21600

    /// Base URL, without a trailing slash (tests: a fake on 127.0.0.1).
    public let endpoint: String
    /// The token lifetime asked for, in seconds (1…21600).
    public let tokenTTL: Int
    let http: ProviderHTTP
    private let token = Mutex<(value: String, renewAt: ContinuousClock.Instant)?>(nil)
    /// The instance's region and its primary network interface, once known (they never change).
    private let knownRegion = Mutex<String?>(nil)
    private let knownInterface = Mutex<String?>(nil)
    /// Called with every token fetched, so it is scrubbed from messages.
    private let remember: @Sendable (String) -> Void

    public init(
        endpoint: String, http: ProviderHTTP, tokenTTL: Int = AWSInstanceMetadata.maximumTokenTTL,
        remember: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.http = http
        self.tokenTTL = min(max(tokenTTL, 1), Self.maximumTokenTTL)
        self.remember = remember
    }

    /// The text at `/latest/PATH` (`meta-data/placement/region`). A 404 is `nil`: the service has no
    /// such entry (no IAM role attached, say).
    public func get(_ path: String, deadline: ContinuousClock.Instant) async throws -> String? {
        for attempt in 0..<2 {
            let token = try await currentToken(deadline: deadline, fresh: attempt > 0)
            let url = "\(endpoint)/latest/\(path)"
            let response = try await http.send(deadline: deadline, accept: [401, 404]) {
                ProviderRequest(method: "GET", url: url, headers: [("X-aws-ec2-metadata-token", token)])
            }
            switch response.status {
            case 404: return nil
            case 401: continue
            default: return String(decoding: response.body, as: UTF8.self)
            }
        }
        throw ProviderError(
            provider: http.provider, call: "GET /latest/\(path)", status: 401,
            message: "the service refused a fresh session token")
    }

    /// The region this instance runs in (`meta-data/placement/region`), asked once.
    public func region(deadline: ContinuousClock.Instant) async throws -> String {
        if let known = knownRegion.withLock({ $0 }) { return known }
        let path = "meta-data/placement/region"
        guard let text = try await get(path, deadline: deadline)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        else {
            throw http.malformed("GET /latest/\(path)", status: 200, "no region in the answer; set the mover's `region`")
        }
        knownRegion.withLock { $0 = text }
        return text
    }

    /// This instance's primary network interface (`eni-…`): `meta-data/mac`, then
    /// `meta-data/network/interfaces/macs/MAC/interface-id`; asked once.
    public func primaryInterface(deadline: ContinuousClock.Instant) async throws -> String {
        if let known = interface { return known }
        let macPath = "meta-data/mac"
        guard let mac = try await get(macPath, deadline: deadline)?.trimmingCharacters(in: .whitespacesAndNewlines), !mac.isEmpty
        else { throw http.malformed("GET /latest/\(macPath)", status: 200, "no MAC address in the answer; set `network_interface_id`") }
        let path = "meta-data/network/interfaces/macs/\(mac)/interface-id"
        guard let id = try await get(path, deadline: deadline)?.trimmingCharacters(in: .whitespacesAndNewlines), id.hasPrefix("eni-")
        else { throw http.malformed("GET /latest/\(path)", status: 200, "no `eni-…` in the answer; set `network_interface_id`") }
        knownInterface.withLock { $0 = id }
        return id
    }

    /// The primary interface, if `primaryInterface` has found it.
    public var interface: String? { knownInterface.withLock { $0 } }

    /// The instance profile's temporary credentials: the role's name from
    /// `meta-data/iam/security-credentials/`, then that role's `AccessKeyId`, `SecretAccessKey`,
    /// `Token` and `Expiration`.
    public func credentials(deadline: ContinuousClock.Instant) async throws -> AWSCredentials {
        let listing = "meta-data/iam/security-credentials/"
        let role = try await get(listing, deadline: deadline)?
            .split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !role.isEmpty else {
            throw ProviderError(
                provider: http.provider, call: "GET /latest/\(listing)", status: 404,
                message: "this instance has no IAM role (no instance profile, or one without a role): attach an "
                    + "instance profile whose role may make the mover's calls, or give the mover other credentials "
                    + "(`access_key_id`, the AWS_* environment, a shared credentials file)")
        }
        let path = listing + role
        let call = "GET /latest/\(path)"
        guard let text = try await get(path, deadline: deadline) else {
            throw ProviderError(provider: http.provider, call: call, status: 404, message: "role \(role) has no credentials here")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw http.malformed(call, status: 200, "the answer is not a JSON object")
        }
        if let code = object["Code"] as? String, code != "Success" {
            let message = (object["Message"] as? String).map { ": \($0)" } ?? ""
            throw http.malformed(call, status: 200, "the credentials are not usable: Code \(code)\(message)")
        }
        func field(_ name: String) throws -> String {
            guard let value = object[name] as? String, !value.isEmpty else {
                throw http.malformed(call, status: 200, "the answer has no `\(name)`")
            }
            return value
        }
        let keyID = try field("AccessKeyId"), secret = try field("SecretAccessKey"), sessionToken = try field("Token")
        remember(secret)
        remember(sessionToken)
        let expirationText = try field("Expiration")
        guard let expiration = AWSCredentials.parseTime(expirationText) else {
            throw http.malformed(call, status: 200, "`Expiration` is `\(expirationText)`, not an ISO 8601 time")
        }
        return AWSCredentials(
            accessKeyID: keyID, secretKey: secret, sessionToken: sessionToken, expiration: expiration,
            source: "the instance profile (role \(role))")
    }

    /// The session token, fetched when there is none, when it is about to end, or when `fresh`.
    private func currentToken(deadline: ContinuousClock.Instant, fresh: Bool) async throws -> String {
        if !fresh, let kept = token.withLock({ $0 }), ContinuousClock.now < kept.renewAt { return kept.value }
        let url = "\(endpoint)/latest/api/token"
        let ttl = "\(tokenTTL)"
        let asked = ContinuousClock.now
        let response = try await http.send(deadline: deadline) {
            ProviderRequest(method: "PUT", url: url, headers: [("X-aws-ec2-metadata-token-ttl-seconds", ttl)])
        }
        let value = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw http.malformed("PUT /latest/api/token", status: response.status, "no token in the answer") }
        remember(value)
        // Renewed a little before it ends: a quarter of its lifetime early, at most a minute.
        let early = min(Duration.seconds(60), .seconds(tokenTTL) / 4)
        token.withLock { $0 = (value, asked + .seconds(tokenTTL) - early) }
        return value
    }
}
