import FloatIPCloud
import FloatIPTestSupport
import Foundation
import Synchronization

/// The EC2 instance metadata service as IMDSv2 documents it ("Use the Instance Metadata Service to
/// access instance metadata", "Retrieve security credentials from instance metadata"), for a
/// `FakeProviderServer` on 127.0.0.1:
///
/// - `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1 to 21600, else 400)
///   answers a token that lives that many seconds;
/// - every `GET /latest/…` needs a live token in `X-aws-ec2-metadata-token`, else 401 (IMDSv2 only);
/// - `meta-data/iam/security-credentials/` lists the role (404 when the instance has none),
///   `meta-data/iam/security-credentials/ROLE` its credentials as JSON (`Code`, `LastUpdated`,
///   `Type`, `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`), `meta-data/placement/region`
///   the region, `meta-data/mac` the primary interface's MAC and
///   `meta-data/network/interfaces/macs/MAC/interface-id` its id;
/// - anything else is not recognised (404, and the test fails on it).
final class AWSMetadataFake: Sendable {
    /// One set of temporary keys and when it expires.
    struct Keys: Sendable {
        var accessKeyID: String
        var secretKey: String
        /// nil for long-lived keys (from the environment or a file; the EC2 fake accepts them too).
        var token: String?
        var expiration: Date
    }

    struct State {
        var tokens: [String: ContinuousClock.Instant] = [:]
        var role: String? = "floatip-role"
        var region = "eu-west-1"
        /// The instance's primary interface: its MAC and id.
        var mac = "0e:49:61:0f:c3:11"
        var interface = "eni-mine"
        /// The keys handed out, the newest last; `rotate` adds one.
        var keys: [Keys] = []
        /// Long-lived keys the EC2 fake also accepts (never handed out by the metadata service).
        var otherKeys: [Keys] = []
        /// Fields left out of the credentials answer (a malformed answer).
        var omit: Set<String> = []
        var tokenRequests = 0
        var credentialRequests = 0
        var refusedTokens = 0
        var ttls: [Int] = []
        /// New keys are handed out this long before the old ones expire (EC2: at least 5 minutes).
        var rotationLead: Duration = .seconds(1)
        var signedWith: [String] = []
    }

    let state = Mutex(State())

    init(keys: [Keys]) { state.withLock { $0.keys = keys } }

    var tokenRequests: Int { state.withLock { $0.tokenRequests } }
    var credentialRequests: Int { state.withLock { $0.credentialRequests } }
    var refusedTokens: Int { state.withLock { $0.refusedTokens } }

    /// Forgets every token (as a restarted service would): the next GET with an old one is a 401.
    func forgetTokens() { state.withLock { $0.tokens = [:] } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let path = request.path
        if request.method == "PUT", path == "/latest/api/token" {
            guard let text = request.header("X-aws-ec2-metadata-token-ttl-seconds"), let ttl = Int(text), (1...21600).contains(ttl)
            else { return .raw(400, "Bad Request", contentType: "text/plain") }
            let token = "AQAEA" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            state.withLock {
                $0.tokens[token] = .now + .seconds(ttl)
                $0.tokenRequests += 1
                $0.ttls.append(ttl)
            }
            return FakeResponse(
                status: 200, headers: [("Content-Type", "text/plain"), ("X-aws-ec2-metadata-token-ttl-seconds", text)],
                body: Array(token.utf8))
        }
        guard request.method == "GET", path.hasPrefix("/latest/") else { return nil }
        let live = state.withLock { state -> Bool in
            guard let token = request.header("X-aws-ec2-metadata-token"), let until = state.tokens[token], .now < until else {
                state.refusedTokens += 1
                return false
            }
            return true
        }
        let (mac, interface) = state.withLock { ($0.mac, $0.interface) }
        let interfacePath = "/latest/meta-data/network/interfaces/macs/\(mac)/interface-id"
        let known = ["/latest/meta-data/placement/region", "/latest/meta-data/iam/security-credentials/",
                     "/latest/meta-data/mac", interfacePath]
        let role = state.withLock { $0.role }
        let rolePath = role.map { "/latest/meta-data/iam/security-credentials/\($0)" }
        guard known.contains(path) || path == rolePath else { return nil }
        guard live else { return .raw(401, "Unauthorized", contentType: "text/plain") }
        switch path {
        case "/latest/meta-data/placement/region":
            return .raw(200, state.withLock { $0.region }, contentType: "text/plain")
        case "/latest/meta-data/mac":
            return .raw(200, mac, contentType: "text/plain")
        case interfacePath:
            return .raw(200, interface, contentType: "text/plain")
        case "/latest/meta-data/iam/security-credentials/":
            guard let role else { return .raw(404, "Not Found", contentType: "text/plain") }
            return .raw(200, role, contentType: "text/plain")
        default:
            let (keys, omit) = state.withLock { state -> (Keys?, Set<String>) in
                state.credentialRequests += 1
                let lead = Double(state.rotationLead.components.seconds) + Double(state.rotationLead.components.attoseconds) / 1e18
                let current = state.keys.first { $0.expiration.timeIntervalSinceNow > lead } ?? state.keys.last
                return (current, state.omit)
            }
            guard let keys else { return .raw(404, "Not Found", contentType: "text/plain") }
            var object: [String: Any] = [
                "Code": "Success", "LastUpdated": Self.time(Date()), "Type": "AWS-HMAC",
                "AccessKeyId": keys.accessKeyID, "SecretAccessKey": keys.secretKey, "Token": keys.token ?? "",
                "Expiration": Self.time(keys.expiration),
            ]
            for field in omit { object[field] = nil }
            return .json(200, object)
        }
    }

    /// EC2's `DescribeAddresses` for one Elastic IP held here, answered only to a request signed
    /// (SigV4, checked) with keys this service handed out, their session token, and before they
    /// expire: 401 `AuthFailure` otherwise. Records the key id of every accepted request.
    func ec2(_ request: FakeRequest) -> FakeResponse? {
        guard request.method == "POST", request.path == "/", request.form["Action"] == "DescribeAddresses" else { return nil }
        let accepted = state.withLock { $0.keys + $0.otherKeys }.filter { $0.expiration > Date() }
        guard let keyID = AWSSignatureCheck.signer(of: request, region: "eu-west-1", keys: accepted) else {
            return AWSSignatureCheck.refusal
        }
        state.withLock { $0.signedWith.append(keyID) }
        return .raw(200, """
            <DescribeAddressesResponse><addressesSet><item><allocationId>eipalloc-1</allocationId>\
            <instanceId>i-mine</instanceId><associationId>eipassoc-1</associationId></item></addressesSet>\
            </DescribeAddressesResponse>
            """, contentType: "text/xml")
    }

    /// The key ids that signed each accepted EC2 request, in order.
    var signedWith: [String] { state.withLock { $0.signedWith } }

    /// `2026-12-07T15:04:05Z`, as IMDS writes times.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
