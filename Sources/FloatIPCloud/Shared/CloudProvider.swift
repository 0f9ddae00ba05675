import FloatIPCore

/// What a provider's API says about the floating address now.
public struct ProviderState: Sendable, Equatable {
    /// The target it is routed to, as the provider names it (a server id, an instance, a port,
    /// a MAC); nil when it is routed nowhere.
    public var holder: String?
    /// What a write must carry to be fenced or to undo the current routing: OpenStack's
    /// revision number, an EC2 association id. nil when the provider needs none.
    public var fence: String?

    public init(holder: String?, fence: String? = nil) {
        self.holder = holder
        self.fence = fence
    }
}

/// One provider's floating-address API, as the generic `CloudMover` drives it: read the state,
/// assign to this server, unassign. Each conforming type is one file in `Providers/`.
public protocol CloudProvider: Sendable {
    /// The provider's settings, read from the mover's options.
    associatedtype Settings: Sendable

    static var kind: MoverKind { get }
    /// The provider's name in errors and logs.
    static var name: String { get }
    static var defaultEndpoint: String { get }
    /// Default `claim_timeout` and `request_timeout` (slow APIs need more).
    static var defaultClaimTimeout: Duration { get }
    static var defaultRequestTimeout: Duration { get }
    /// Default `poll_interval` (Route 53's changes take tens of seconds: no need to ask twice a second).
    static var defaultPollInterval: Duration { get }
    /// Whether the group's addresses must also be configured on this server (`interface` required).
    static var needsLocalAddress: Bool { get }
    /// The credentials this provider reads, as (option name, what it is): `("token", "API token")`
    /// means `token_file` or `token_env`.
    static var credentials: [(name: String, what: String)] { get }
    /// Whether the credentials may be left unset: the provider then gets a token another way
    /// (Google's metadata server, Azure's managed identity, AWS's credential chain: environment,
    /// shared credentials file, instance profile).
    static var credentialsOptional: Bool { get }

    /// What is wrong with the credential `name`'s value (a key file that is not a key), for
    /// `check-config`; nil when it looks right. Never includes the value.
    static func credentialProblem(_ name: String, value: String) -> String?
    /// Whether these options make the group's addresses also be configured on this server
    /// (default: `needsLocalAddress`; AWS's route-table form needs it, its other forms do not).
    static func needsLocalAddress(_ options: [String: String]) -> Bool
    /// Problems with credentials found other than through `credentials` (the environment, a shared
    /// credentials file), for `check-config`: (option, message), never a secret. Default none.
    static func otherCredentialProblems(_ options: [String: String], environment: [String: String]) -> [(String, String)]

    /// Reads the provider's own options; problems go to `check`. nil when any is wrong.
    static func settings(_ check: inout OptionCheck) -> Settings?

    /// The provider's message in an error answer (its JSON `message`, its XML `<Message>`).
    static func errorMessage(_ response: ProviderResponse) -> String?
    /// Whether an answer means "slow down" though its status is not 429.
    static func isThrottled(_ response: ProviderResponse) -> Bool

    init(settings: Settings, context: CloudContext)

    /// This server as the provider names it (the value `ProviderState.holder` has when it holds).
    var target: String { get }
    /// The floating address as the provider names it, for logs.
    var address: String { get }

    /// Asks who holds the address now.
    func read(deadline: ContinuousClock.Instant) async throws -> ProviderState
    /// Routes the address to `target`, waiting for the provider's action to finish.
    func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws
    /// Routes the address away from `target`; false when the provider has no detach.
    func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool
}

extension CloudProvider {
    public static var defaultClaimTimeout: Duration { .seconds(60) }
    public static var defaultRequestTimeout: Duration { .seconds(10) }
    public static var defaultPollInterval: Duration { .milliseconds(500) }
    public static var needsLocalAddress: Bool { false }
    public static var credentialsOptional: Bool { false }
    public static func credentialProblem(_ name: String, value: String) -> String? { nil }
    public static func needsLocalAddress(_ options: [String: String]) -> Bool { needsLocalAddress }
    public static func otherCredentialProblems(_: [String: String], environment _: [String: String]) -> [(String, String)] { [] }
    public static func isThrottled(_ response: ProviderResponse) -> Bool { false }
}

/// What every provider gets: the HTTP caller (with its credentials' values as secrets to scrub),
/// the base URL, the credentials, and the action-polling interval.
public struct CloudContext: Sendable {
    public var http: ProviderHTTP
    /// The API's base URL (`endpoint`, or the provider's default), without a trailing slash.
    public var endpoint: String
    /// The credentials, read when used.
    public var credentials: CredentialStore
    /// How often asynchronous actions are polled.
    public var pollInterval: Duration

    public init(http: ProviderHTTP, endpoint: String, credentials: CredentialStore, pollInterval: Duration) {
        self.http = http
        self.endpoint = endpoint
        self.credentials = credentials
        self.pollInterval = pollInterval
    }

    /// The credential named `name`, read now; a missing file or variable fails the operation.
    public func secret(_ name: String) throws(CredentialProblem) -> String { try credentials.value(name) }

    /// Whether the options name a source for the credential `name` (`NAME_file` or `NAME_env`).
    public func hasSecret(_ name: String) -> Bool { credentials.isNamed(name) }

    /// A JSON request with `Authorization: Bearer` and the `token` credential as it is now
    /// (DigitalOcean, Hetzner Cloud, Vultr, Linode).
    public func bearer(_ method: String, _ url: String, body: [String: Any]? = nil) throws -> ProviderRequest {
        ProviderRequest.bearerJSON(method, url, token: try secret("token"), body: body)
    }

    /// Sends `request` (with `ProviderHTTP`'s retries) and parses its answer as JSON.
    public func sendJSON(_ request: ProviderRequest, deadline: ContinuousClock.Instant) async throws -> JSONReply {
        let response = try await http.send(deadline: deadline) { request }
        return JSONReply(answer: try JSONAnswer.parse(response, call: request.call, http: http), status: response.status, call: request.call)
    }
}

/// A parsed JSON answer with the status and call it came from, for errors about what it lacks.
public struct JSONReply: Sendable {
    public var answer: JSONAnswer
    public var status: Int
    public var call: String
}
