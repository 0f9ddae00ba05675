import FloatIPCloud
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Synchronization
import Testing

/// The `route53` mover against moto in server mode; the hosted zone is made through the API by the
/// test. moto checks signatures only where it can (`MotoServer.start(checkSignatures:)`: not on a
/// REST GET), so the mover's reads and writes run with the check off, and the wrong-secret test
/// runs the write (a POST) with it on, against the right secret's.
@Suite("Route 53 mover (moto)", .serialized, .enabled(if: MotoServer.shouldRun, Comment(rawValue: MotoServer.skipReason)))
struct Route53MoverTests {
    static let name = "www.example.com"

    /// moto with a hosted zone `example.com`; returns its id (without `/hostedzone/`).
    func world(checkSignatures: Bool = false) async throws -> (MotoServer, String) {
        let moto = try await MotoServer.start(checkSignatures: checkSignatures)
        do {
            let created = try await moto.rest(
                "POST", "/2013-04-01/hostedzone",
                body: #"<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest "#
                    + #"xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>example.com</Name>"#
                    + "<CallerReference>floatip-\(UUID().uuidString)</CallerReference></CreateHostedZoneRequest>")
            let id = try #require(created.first("HostedZone")?.value("Id"), "CreateHostedZone gave no Id")
            return (moto, id.replacingOccurrences(of: "/hostedzone/", with: ""))
        } catch {
            moto.stop()
            throw error
        }
    }

    func mover(
        _ moto: MotoServer, zone: String, address: String, secret: String? = nil, lines: ReportedLines = ReportedLines()
    ) throws -> (mover: any Mover & MoverTelemetrySource, group: GroupConfig) {
        let options = [
            "zone_id": zone, "name": Self.name, "address": address, "ttl": "30", "access_key_id": moto.accessKeyID,
            "secret_key_env": testTokenVariable, "endpoint": moto.endpoint, "claim_timeout": "20s",
            "poll_interval": "50ms",
        ]
        return try makeMover(
            Route53Provider.self, options, environment: [testTokenVariable: secret ?? moto.secretKey], lines: lines)
    }

    /// The name's record sets as moto lists them: type → (values, TTL).
    func records(_ moto: MotoServer, zone: String) async throws -> [String: ([String], String?)] {
        let answer = try await moto.rest("GET", "/2013-04-01/hostedzone/\(zone)/rrset")
        var found: [String: ([String], String?)] = [:]
        for set in answer.first("ResourceRecordSets")?.children("ResourceRecordSet") ?? []
        where set.value("Name") == Self.name + "." {
            let values = set.child("ResourceRecords")?.children("ResourceRecord").compactMap { $0.value("Value") } ?? []
            found[set.value("Type") ?? "?"] = (values, set.value("TTL"))
        }
        return found
    }

    @Test("claim UPSERTs this node's A record over the other node's, is idempotent; release writes nothing")
    func claimMoves() async throws {
        let (moto, zone) = try await world()
        defer { moto.stop() }
        let other = try mover(moto, zone: zone, address: "198.51.100.2")
        let lines = ReportedLines()
        let mine = try mover(moto, zone: zone, address: "198.51.100.1", lines: lines)
        #expect(try await mine.mover.holder(of: mine.group) == .none)
        try await other.mover.claim(other.group, epoch: 1)
        #expect(try await mine.mover.holder(of: mine.group) == .other("198.51.100.2"))
        try await mine.mover.claim(mine.group, epoch: 2)
        let after = try await records(moto, zone: zone)
        #expect(after["A"]?.0 == ["198.51.100.1"] && after["A"]?.1 == "30", "\(after)")
        #expect(try await mine.mover.holder(of: mine.group) == .this)
        #expect(try await other.mover.holder(of: other.group) == .other("198.51.100.1"))
        #expect(lines.all.contains { $0.contains("Route 53 routes \(Self.name) to 198.51.100.2") && $0.contains("term 2") })
        let telemetry = mine.mover.telemetry()
        #expect(telemetry.providerHolder == "198.51.100.1" && telemetry.providerHoldsHere == true)
        #expect(telemetry.lastCall == "GET /2013-04-01/hostedzone/\(zone)/rrset ListResourceRecordSets")
        // Already pointing here: one ListResourceRecordSets, no change.
        let calls = telemetry.calls
        try await mine.mover.claim(mine.group, epoch: 3)
        #expect(mine.mover.telemetry().calls == calls + 1)
        try await mine.mover.release(mine.group, epoch: 3)
        #expect(try await records(moto, zone: zone)["A"]?.0 == ["198.51.100.1"])
        #expect(mine.mover.telemetry().lastCall?.hasSuffix("ListResourceRecordSets") == true, "release only reads")
        #expect(lines.all.contains { $0.contains("no detach") })
    }

    @Test("A and AAAA are UPSERTed in one batch and read back together")
    func bothFamilies() async throws {
        let (moto, zone) = try await world()
        defer { moto.stop() }
        let mine = try mover(moto, zone: zone, address: "2001:db8::1, 198.51.100.1")
        try await mine.mover.claim(mine.group, epoch: 1)
        let after = try await records(moto, zone: zone)
        #expect(after["A"]?.0 == ["198.51.100.1"] && after["AAAA"]?.0 == ["2001:db8::1"], "\(after)")
        #expect(try await mine.mover.holder(of: mine.group) == .this)
        #expect(mine.mover.telemetry().providerHolder == "198.51.100.1, 2001:db8::1")
    }

    /// The provider itself (not the mover, whose claim reads first with a GET), signing with `secret`.
    func provider(_ moto: MotoServer, zone: String, secret: String) throws -> Route53Provider {
        let credentials = CredentialStore(
            options: ["secret_key_env": testTokenVariable], names: Route53Provider.credentials,
            environment: [testTokenVariable: secret])
        let http = ProviderHTTP(
            provider: Route53Provider.name, policy: RetryPolicy(requestTimeout: .seconds(10)),
            telemetry: TelemetryRecorder(kind: "route53"), secrets: { [secret] },
            describe: { Route53Provider.errorMessage($0) }, isThrottled: { Route53Provider.isThrottled($0) })
        let context = CloudContext(http: http, endpoint: moto.endpoint, credentials: credentials, pollInterval: .milliseconds(50))
        let record = PublishedRecord(name: Self.name, ttl: 30, addresses: [try #require(IPAddress("198.51.100.1"))])
        return Route53Provider(
            settings: .init(zoneID: zone, accessKeyID: moto.accessKeyID, record: record), context: context)
    }

    @Test("with signatures checked: the UPSERT signed with the right secret is accepted, with a wrong one rejected")
    func wrongSecret() async throws {
        let (moto, zone) = try await world(checkSignatures: true)
        defer { moto.stop() }
        let wrong = "wrongSecretKeyValue0123456789"
        let deadline = ContinuousClock.now + .seconds(20)
        let error = await providerError {
            try await provider(moto, zone: zone, secret: wrong).assign(over: ProviderState(holder: nil), deadline: deadline)
        }
        #expect(error?.provider == "Route 53" && error?.kind == .rejected)
        #expect(error?.status == 403, "\(String(describing: error))")
        #expect(error?.call == "POST /2013-04-01/hostedzone/\(zone)/rrset/ ChangeResourceRecordSets")
        let text = "\(String(describing: error))"
        #expect(text.contains("SignatureDoesNotMatch"), "\(text)")
        #expect(!text.contains(wrong))
        try await provider(moto, zone: zone, secret: moto.secretKey).assign(over: ProviderState(holder: nil), deadline: deadline)
    }
}

/// What moto does not emulate: a change that stays PENDING, `PriorRequestNotComplete`, and an
/// unknown zone; against a scripted server speaking Route 53's REST-XML.
@Suite("Route 53 mover (scripted answers)")
struct Route53ScriptedTests {
    static let ok = #"<?xml version="1.0"?><ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">"#
        + "<ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo>"
        + "</ChangeResourceRecordSetsResponse>"
    static func change(_ status: String) -> String {
        #"<?xml version="1.0"?><GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">"#
            + "<ChangeInfo><Id>/change/C1</Id><Status>\(status)</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt>"
            + "</ChangeInfo></GetChangeResponse>"
    }
    static func error(_ code: String, _ message: String) -> String {
        #"<?xml version="1.0"?><ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error>"#
            + "<Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
    }
    static let empty = #"<?xml version="1.0"?><ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">"#
        + "<ResourceRecordSets><ResourceRecordSet><Name>example.com.</Name><Type>NS</Type><TTL>172800</TTL>"
        + "<ResourceRecords><ResourceRecord><Value>ns-1.awsdns-1.com.</Value></ResourceRecord></ResourceRecords>"
        + "</ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>20</MaxItems>"
        + "</ListResourceRecordSetsResponse>"

    func start(pendingPolls: Int) async throws -> FakeProviderServer {
        let polls = Counter()
        return try await FakeProviderServer.start { request in
            guard request.header("Authorization")?.contains("/us-east-1/route53/aws4_request") == true else {
                return .raw(403, Self.error("IncompleteSignature", "not signed for route53"), contentType: "text/xml")
            }
            switch (request.method, request.path) {
            case ("GET", "/2013-04-01/hostedzone/ZONE1/rrset"): return .raw(200, Self.empty, contentType: "text/xml")
            case ("POST", "/2013-04-01/hostedzone/ZONE1/rrset/"): return .raw(200, Self.ok, contentType: "text/xml")
            case ("GET", "/2013-04-01/change/C1"):
                return .raw(200, Self.change(polls.next() < pendingPolls ? "PENDING" : "INSYNC"), contentType: "text/xml")
            case (_, let path) where path.hasPrefix("/2013-04-01/hostedzone/"):
                return .raw(404, Self.error("NoSuchHostedZone", "No hosted zone found with ID: \(request.segments[2])"), contentType: "text/xml")
            default: return nil
            }
        }
    }

    func mover(_ server: FakeProviderServer, zone: String = "ZONE1", claimTimeout: String = "5s") throws
        -> (mover: any Mover & MoverTelemetrySource, group: GroupConfig)
    {
        try makeMover(Route53Provider.self, [
            "zone_id": "/hostedzone/\(zone)", "name": "www.example.com.", "address": "198.51.100.1",
            "access_key_id": "AKIDEXAMPLE", "secret_key_env": testTokenVariable, "endpoint": server.baseURL,
            "poll_interval": "50ms", "claim_timeout": claimTimeout,
        ], environment: [testTokenVariable: "secret0123456789"])
    }

    @Test("PriorRequestNotComplete is retried, then GetChange is polled until INSYNC")
    func retriesAndPolls() async throws {
        let server = try await start(pendingPolls: 3)
        server.inject(FakeFault(method: "POST", response: .raw(
            400, Self.error("PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request."),
            contentType: "text/xml")))
        let (mover, group) = try mover(server)
        try await mover.claim(group, epoch: 1)
        #expect(server.count("POST", "/rrset/") == 2)
        #expect(server.count("GET", "/change/C1") == 4)
        #expect(mover.telemetry().retries == 1)
        let body = try #require(server.requests.last { $0.method == "POST" }).text
        #expect(body.contains("<Action>UPSERT</Action>") && body.contains("<Name>www.example.com</Name>"))
        #expect(body.contains("<Type>A</Type><TTL>60</TTL>") && body.contains("<Value>198.51.100.1</Value>"))
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a change still PENDING at claim_timeout fails the claim as a deadline")
    func pendingPastDeadline() async throws {
        let server = try await start(pendingPolls: 1_000)
        let (mover, group) = try mover(server, claimTimeout: "400ms")
        let start = ContinuousClock.now
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.kind == .deadline && error?.message.contains("PENDING") == true)
        #expect(seconds(since: start) < 1.5)
        await server.stop()
    }

    @Test("an unknown hosted zone is reported with Route 53's code and message")
    func unknownZone() async throws {
        let server = try await start(pendingPolls: 0)
        let (mover, group) = try mover(server, zone: "ZNOPE")
        let error = await providerError { _ = try await mover.holder(of: group) }
        #expect(error?.status == 404 && error?.message == "NoSuchHostedZone: No hosted zone found with ID: ZNOPE")
        await server.stop()
    }

    @Test("Route 53's escaped names are read back (\\052 is *)")
    func unescapedNames() {
        #expect(Route53Provider.unescaped(#"\052.example.com."#) == "*.example.com.")
        #expect(Route53Provider.unescaped(#"a\b"#) == #"a\b"#)
    }
}

/// A counter shared with a fake's handler.
final class Counter: Sendable {
    private let value = Mutex(0)
    /// The count before this call.
    func next() -> Int {
        value.withLock { count in
            defer { count += 1 }
            return count
        }
    }
}
