import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// Provider calls never follow a redirect: a token header or a password body must not reach the
/// origin a `Location` names. Two servers on 127.0.0.1 (two ports, so two origins): the first
/// answers every request with a redirect to the second, which records what reaches it.
@Suite("provider HTTP redirects")
struct ProviderRedirectTests {
    static let token = "x-auth-token-0123456789abcdef"
    static let password = "keystone-password-0123456789"

    @Test("a 302 or 307 to another origin is not followed: the token and the body stay home", arguments: [302, 307])
    func redirectsAreNotFollowed(status: Int) async throws {
        let other = try await FakeProviderServer.start { _ in .json(200, ["stolen": true]) }
        let first = try await FakeProviderServer.start { _ in
            FakeResponse(status: status, headers: [("Location", "\(other.baseURL)/collect")])
        }
        let http = ProviderHTTP(
            provider: "Test", policy: RetryPolicy(requestTimeout: .seconds(2)), telemetry: TelemetryRecorder(kind: "test"))
        let body = Array(#"{"auth":{"password":"\#(Self.password)"}}"#.utf8)
        let error = await providerError {
            _ = try await http.send(deadline: .now + .seconds(5)) {
                ProviderRequest(
                    method: "POST", url: "\(first.baseURL)/v3/auth/tokens",
                    headers: [("X-Auth-Token", Self.token), ("Content-Type", "application/json")], body: body)
            }
        }
        #expect(error?.status == status)
        #expect(first.requests.count == 1)
        #expect(other.requests.isEmpty, "followed the redirect: \(other.requests.map { "\($0.method) \($0.path) \($0.headers)" })")
        #expect(!other.requests.contains { $0.header("X-Auth-Token") == Self.token || $0.text.contains(Self.password) })
        await first.stop()
        await other.stop()
    }

    @Test("the openstack mover's Neutron call redirected elsewhere fails; its X-Auth-Token stays home")
    func openStackTokenStaysHome() async throws {
        let other = try await FakeProviderServer.start { _ in .json(200, ["floatingip": ["port_id": "port-other"]]) }
        let fake = OpenStackFake(floating: ["fip-1": "port-other"], ports: ["port-mine", "port-other"])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        fake.state.withLock { $0.base = server.baseURL }
        server.inject(FakeFault(
            method: "GET", pathContains: "/floatingips/",
            response: FakeResponse(status: 302, headers: [("Location", "\(other.baseURL)/network/v2.0/floatingips/fip-1")])))
        let (mover, group) = try makeMover(
            OpenStackProvider.self,
            [
                "auth_url": server.baseURL, "application_credential_id": OpenStackFake.credentialID,
                "secret_env": testTokenVariable, "floating_ip_id": "fip-1", "port_id": "port-mine", "claim_timeout": "5s",
            ],
            environment: [testTokenVariable: OpenStackFake.secret])
        let error = await providerError { _ = try await mover.holder(of: group) }
        #expect(error?.status == 302)
        #expect(other.requests.isEmpty, "the token went to \(other.baseURL): \(other.requests.map(\.headers))")
        await server.stop()
        await other.stop()
    }
}
