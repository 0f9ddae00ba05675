import Foundation

/// The AWS query API (EC2, IAM): a form-encoded `POST /` signed with SigV4, answered in XML.
/// Shared by both forms of the `aws` mover.
public struct AWSQuery: Sendable {
    /// EC2's API version.
    public static let ec2Version = "2016-11-15"
    let http: ProviderHTTP
    /// The API's base URL (`https://ec2.REGION.amazonaws.com`, or `endpoint`).
    let endpoint: String
    let signer: SigV4
    /// The API version sent with every action.
    let version: String

    public init(http: ProviderHTTP, endpoint: String, signer: SigV4, version: String = AWSQuery.ec2Version) {
        self.http = http
        self.endpoint = endpoint
        self.signer = signer
        self.version = version
    }

    /// Calls `action` with `parameters` and returns the parsed answer.
    public func call(_ action: String, _ parameters: [(String, String)], deadline: ContinuousClock.Instant) async throws -> XMLAnswer {
        let body = Array(
            ([("Action", action), ("Version", version)] + parameters)
                .map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&").utf8)
        let url = endpoint + "/"
        let host = Self.hostHeader(url)
        let signer = self.signer
        let response = try await http.send(deadline: deadline) {
            let headers = signer.sign(
                method: "POST", path: "/",
                headers: [("Host", host), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: body, date: Date())
            return ProviderRequest(method: "POST", url: url, headers: headers, body: body, label: action)
        }
        do {
            return try XMLAnswer.parse(response.body)
        } catch {
            throw http.malformed("POST / \(action)", status: response.status, "\(error)")
        }
    }

    /// `host` or `host:port` of `url`, as the `Host` header carries it (and SigV4 signs it).
    static func hostHeader(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "" }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return components.port.map { "\(bracketed):\($0)" } ?? bracketed
    }

    /// `Code: Message` from an EC2 (`<Response><Errors><Error>`) or IAM (`<ErrorResponse><Error>`) error answer.
    static func errorMessage(_ response: ProviderResponse) -> String? {
        guard let root = try? XMLAnswer.parse(response.body), let error = root.first("Error") else { return nil }
        let code = error.value("Code"), message = error.value("Message")
        switch (code, message) {
        case (let code?, let message?): return "\(code): \(message)"
        case (let code?, nil): return code
        case (nil, let message?): return message
        default: return nil
        }
    }

    /// EC2 throttles with `RequestLimitExceeded` (HTTP 503), which the 5xx rule already retries;
    /// some answers carry it with a 400.
    static func isThrottled(_ response: ProviderResponse) -> Bool {
        guard let message = errorMessage(response) else { return false }
        return message.hasPrefix("RequestLimitExceeded") || message.hasPrefix("Throttling")
    }
}
