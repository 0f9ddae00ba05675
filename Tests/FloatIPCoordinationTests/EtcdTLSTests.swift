@testable import FloatIPCoordination
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// etcd over TLS with client-certificate authentication (`ca_file`, `cert_file`, `key_file`): a real
/// etcd with a throw-away CA; the right files win a campaign, a missing client certificate or the
/// wrong CA fail with an error that names the endpoint.
@Suite(.serialized, .enabled(if: EtcdServer.runnable && (TestCertificates.available || ProcessInfo.processInfo.environment["CI"] == "true"), .etcd))
struct EtcdTLSTests {
    func client(_ etcd: EtcdServer, ca: String?, cert: String? = nil, key: String? = nil) throws -> EtcdClient {
        try EtcdClient(settings: EtcdClientSettings(
            endpoints: [etcd.endpoint], requestTimeout: .seconds(1), caFile: ca, certFile: cert, keyFile: key))
    }

    @Test func theRightCertificatesWinACampaignAndTheWrongOnesFailClearly() async throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        let etcd = try EtcdServer(certificates: pki)
        defer { etcd.stop() }
        #expect(etcd.endpoint.hasPrefix("https://127.0.0.1:"))

        let good = try client(etcd, ca: pki.caFile, cert: pki.clientCertFile, key: pki.clientKeyFile)
        let election = EtcdElection(client: good, key: "/floatip/tls/web", name: "node-a", ttl: .seconds(3))
        let revision = try await election.campaign { _ in }
        #expect(try await good.get("/floatip/tls/web")?.createRevision == revision)
        try await election.resign()

        // No client certificate: etcd (--client-cert-auth) refuses the handshake.
        let anonymous = try client(etcd, ca: pki.caFile)
        let refused = await #expect(throws: EtcdError.self) { _ = try await anonymous.get("/floatip/tls/web") }
        #expect("\(refused.map { "\($0)" } ?? "")".contains(etcd.endpoint), "names the endpoint: \(String(describing: refused))")

        // A CA that did not sign etcd's certificate: this node refuses etcd.
        let mistrusting = try client(etcd, ca: pki.otherCAFile, cert: pki.clientCertFile, key: pki.clientKeyFile)
        let untrusted = await #expect(throws: EtcdError.self) { _ = try await mistrusting.get("/floatip/tls/web") }
        #expect("\(untrusted.map { "\($0)" } ?? "")".contains("etcd's certificate is not trusted (check ca_file"))
        #expect("\(refused.map { "\($0)" } ?? "")".contains("check cert_file and key_file"))
        print("etcd TLS: without a client certificate: \(refused.map { "\($0)" } ?? "-")\n"
            + "etcd TLS: with the wrong CA: \(untrusted.map { "\($0)" } ?? "-")")
        await good.shutdown()
        await anonymous.shutdown()
        await mistrusting.shutdown()
    }
}
