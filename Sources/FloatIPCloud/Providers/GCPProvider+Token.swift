import FloatIPCore
import Foundation

extension GCPProvider {
    /// One Compute Engine call with a bearer token (renewed once on a 401).
    func compute(
        _ method: String, _ url: String, body: [String: Any]?, deadline: ContinuousClock.Instant, accept: Set<Int> = []
    ) async throws -> (response: ProviderResponse, call: String) {
        try await context.sendBearer(method, url, body: body, token: token, deadline: deadline, accept: accept) {
            try await fetchToken(deadline: deadline)
        }
    }

    /// A new access token: from the service-account key when `key_file`/`key_env` is set, else
    /// from the metadata server.
    func fetchToken(deadline: ContinuousClock.Instant) async throws -> AccessToken.Entry {
        guard context.hasSecret("key") else {
            let url = "\(settings.metadataEndpoint)/computeMetadata/v1/instance/service-accounts/default/token"
            let request = ProviderRequest(
                method: "GET", url: url, headers: [("Metadata-Flavor", "Google"), ("Accept", "application/json")])
            let response = try await context.http.send(deadline: deadline) { request }
            return try AccessToken.read(response, call: request.call, http: context.http)
        }
        let option = context.credentials.options["key_file"] != nil ? "key_file" : "key_env"
        let key = try GCPToken.ServiceAccountKey.parse(try context.secret("key"), option: option)
        let endpoint = settings.tokenEndpoint ?? key.tokenURI
        if !settings.allowPlainHTTP, PlainHTTP.leavesTheMachine(endpoint) {
            throw CredentialProblem(key: option, message: "`token_uri` " + PlainHTTP.problem(endpoint, sends: "the signed assertion"))
        }
        let assertion = try key.assertion(now: Date(), scope: GCPToken.scope)
        let form = "grant_type=" + SigV4.encode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + assertion
        let request = ProviderRequest(
            method: "POST", url: endpoint,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(form.utf8))
        let response = try await context.http.send(deadline: deadline) { request }
        return try AccessToken.read(response, call: request.call, http: context.http)
    }
}
