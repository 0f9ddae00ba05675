import Foundation

/// An OAuth 2 access token fetched from a token endpoint or a metadata service (Google, Azure).
typealias AccessToken = ExpiringCache<String>

extension ExpiringCache where Value == String {
    /// An OAuth error answer's text: `{"error":"invalid_grant","error_description":"…"}` as
    /// `invalid_grant: …`.
    static func oauthError(_ response: ProviderResponse) -> String? {
        guard let code = JSONAnswer.message(in: response, [["error"]]) else { return nil }
        return JSONAnswer.message(in: response, [["error_description"]]).map { "\(code): \($0)" } ?? code
    }

    /// Reads `{"access_token","expires_in"}`, the shape every OAuth token endpoint answers
    /// (`expires_in` a number, or Azure's metadata service's string).
    static func read(_ response: ProviderResponse, call: String, http: ProviderHTTP) throws -> Entry {
        let answer = try JSONAnswer.parse(response, call: call, http: http)
        guard let value = answer["access_token"]?.string, !value.isEmpty else {
            throw http.missing("`access_token`", in: answer, call: call, status: response.status)
        }
        let lifetime = answer["expires_in"]?.idText.flatMap(Double.init) ?? 300
        return Entry(value: value, expiresAt: Date().addingTimeInterval(lifetime))
    }
}

extension CloudContext {
    /// One JSON call with `Authorization: Bearer` and a token from `token`; a 401 (a token revoked or
    /// expired early) gets one fresh token and one more try. `headers` are added (`If-Match`).
    func sendBearer(
        _ method: String, _ url: String, body: [String: Any]? = nil, headers: [(String, String)] = [],
        token: AccessToken, deadline: ContinuousClock.Instant, accept: Set<Int> = [],
        fetch: () async throws -> AccessToken.Entry
    ) async throws -> (response: ProviderResponse, call: String) {
        for attempt in 0..<2 {
            let value = try await token.value(fresh: attempt > 0, fetch)
            var built = ProviderRequest.bearerJSON(method, url, token: value, body: body)
            built.headers += headers
            let request = built
            let response = try await http.send(deadline: deadline, accept: accept.union([401])) { request }
            if response.status == 401, attempt == 0 { continue }
            if response.status == 401 {
                throw ProviderError(
                    provider: http.provider, call: request.call, status: 401,
                    message: http.scrub(http.describe(response) ?? "the access token was refused"))
            }
            return (response, request.call)
        }
        throw ProviderError(provider: http.provider, call: "\(method) \(url)", message: "unreachable")
    }
}
