import Foundation
import Testing

@testable import FloatIPCloud
@testable import FloatIPCore

@Suite("Cloud movers: shared pieces")
struct SharedPiecesTests {
    @Test("SigV4 signs the vector in providers.md (computed with botocore) to the expected signature")
    func sigV4Vector() {
        let signer = SigV4(
            accessKeyID: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1",
            service: "ec2")
        let body = Array("Action=DescribeAddresses&Version=2016-11-15&AllocationId.1=eipalloc-0123".utf8)
        let headers = [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", "ec2.us-east-1.amazonaws.com"),
            ("X-Amz-Date", "20250102T030405Z"),
        ]
        let result = signer.signature(method: "POST", path: "/", query: [], headers: headers, body: body)
        #expect(result.signature == "197c33bf6f0e5e5cec8ed44e2cc7fa26157fb7e142da4b40d3880ff58fea63f6")
        #expect(result.scope == "20250102/us-east-1/ec2/aws4_request")
        #expect(result.signedHeaders == "content-type;host;x-amz-date")
        // A different secret or body gives a different signature.
        var wrong = signer
        wrong.secretKey = "x"
        #expect(wrong.signature(method: "POST", path: "/", query: [], headers: headers, body: body).signature != result.signature)
        #expect(signer.signature(method: "POST", path: "/", query: [], headers: headers, body: body + [0x26]).signature != result.signature)
    }

    @Test("sign adds X-Amz-Date and an Authorization header naming the scope and signed headers")
    func sigV4Headers() throws {
        let signer = SigV4(accessKeyID: "AKID", secretKey: "secret", region: "eu-west-1", service: "route53")
        let date = try #require(ISO8601DateFormatter().date(from: "2025-01-02T03:04:05Z"))
        let headers = signer.sign(
            method: "GET", path: "/2013-04-01/change/C1", query: [("b", "2"), ("a", "x y")], headers: [("Host", "h")],
            body: [], date: date)
        #expect(headers.contains { $0 == ("X-Amz-Date", "20250102T030405Z") })
        let authorization = try #require(headers.first { $0.0 == "Authorization" }?.1)
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/20250102/eu-west-1/route53/aws4_request, "))
        #expect(authorization.contains("SignedHeaders=host;x-amz-date, Signature="))
        #expect(SigV4.encode("a b/c~") == "a%20b%2Fc~")
    }

    @Test("backoff is full jitter under an exponential cap; a provider's hint is a floor")
    func backoff() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        #expect(policy.delay(attempt: 0, unit: 1) == .milliseconds(100))
        #expect(policy.delay(attempt: 3, unit: 1) == .milliseconds(800))
        #expect(policy.delay(attempt: 3, unit: 0.5) == .milliseconds(400))
        #expect(policy.delay(attempt: 10, unit: 1) == .seconds(2))
        #expect(policy.delay(attempt: 10, unit: 0) == .zero)
        #expect(policy.delay(attempt: 0, unit: 0.2, hint: .seconds(3)) == .seconds(3))
        #expect(policy.delay(attempt: 99, unit: 1) == .seconds(2))
    }

    @Test("Retry-After (seconds and HTTP date) and RateLimit-Reset (Unix time and delta) are read")
    func rateLimitHints() {
        let now = 1_800_000_000.0
        #expect(RateLimitHint.wait(headers: [("Retry-After", "7")], nowSeconds: now) == .seconds(7))
        let date = "Fri, 15 Jan 2027 08:00:10 GMT"
        let at = RateLimitHint.httpDate(date) ?? 0
        #expect(RateLimitHint.wait(headers: [("retry-after", date)], nowSeconds: at - 10) == .seconds(10))
        #expect(RateLimitHint.wait(headers: [("RateLimit-Reset", "\(Int(now) + 42)")], nowSeconds: now) == .seconds(42))
        #expect(RateLimitHint.wait(headers: [("RateLimit-Reset", "5")], nowSeconds: now) == .seconds(5))
        #expect(RateLimitHint.wait(headers: [("Retry-After", "soon")], nowSeconds: now) == nil)
        #expect(RateLimitHint.wait(headers: [], nowSeconds: now) == nil)
    }

    @Test("the XML reader reads EC2 answers and rejects malformed ones with a typed error")
    func xml() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeAddressesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>r-1</requestId><!-- a comment -->
              <addressesSet><item><publicIp>198.51.100.1</publicIp><instanceId>i-1 &amp; &#x41;</instanceId></item></addressesSet>
              <empty/>
            </DescribeAddressesResponse>
            """
        let root = try XMLAnswer.parse(Array(text.utf8))
        #expect(root.name == "DescribeAddressesResponse")
        #expect(root.first("addressesSet")?.children("item").first?.value("instanceId") == "i-1 & A")
        #expect(root.child("empty") != nil)
        let broken = [
            "<a><b></a>", "<a>", "", "<a></a><b></b>", "<a>&bogus;</a>", "<!DOCTYPE x><a/>", "<a x=1></a>",
            String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100),
        ]
        for sample in broken {
            #expect(throws: XMLError.self, "\(sample)") { try XMLAnswer.parse(Array(sample.utf8)) }
        }
        // Random truncations of a valid answer never crash.
        for cut in stride(from: 0, to: text.utf8.count - 1, by: 7) {
            _ = try? XMLAnswer.parse(Array(text.utf8.prefix(cut)))
        }
    }

    @Test("credentials come from a file or a variable; problems name the option and never the secret")
    func credentials() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token").path
        try "  s3cret-token-value\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let fromFile = Credential.load(["token_file": file], name: "token", what: "API token")
        #expect(try fromFile.get().value == "s3cret-token-value")
        #expect("\(try fromFile.get())".contains("s3cret") == false)
        let fromEnv = Credential.load(["token_env": "T"], name: "token", what: "API token", environment: ["T": "abc\n"])
        #expect(try fromEnv.get().value == "abc")
        let missing = Credential.load(["token_file": directory.appendingPathComponent("nope").path], name: "token", what: "API token")
        #expect(missing.failureValue?.key == "token_file")
        #expect(missing.failureValue?.message.contains("does not exist") == true)
        let unset = Credential.load(["token_env": "T"], name: "token", what: "API token", environment: [:])
        #expect(unset.failureValue?.message == "environment variable T is not set; it must hold the API token")
        #expect(Credential.optionProblems([:], name: "token", what: "API token").first?.0 == "token_file")
        #expect(Credential.optionProblems(["token_file": "/a", "token_env": "B"], name: "token", what: "x").count == 1)
        #expect(Credential.optionProblems(["token_file": "relative"], name: "token", what: "x").count == 1)
        // One rule for every secret file: group-readable is a warning, readable by others refused.
        chmod(file, 0o640)
        let warned = Credential.sourceProblems(["token_file": file], name: "token", what: "x", environment: [:])
        #expect(warned.problems.isEmpty && warned.warnings.first?.1.contains("chmod 600 \(file)") == true)
        #expect((try? Credential.load(["token_file": file], name: "token", what: "x").get().value) == "s3cret-token-value")
        chmod(file, 0o644)
        let refused = Credential.sourceProblems(["token_file": file], name: "token", what: "x", environment: [:])
        #expect(refused.problems.first?.1 == "\(file) can be read or written by others (mode 0644); run `chmod 600 \(file)`")
        let load = Credential.load(["token_file": file], name: "token", what: "x")
        #expect(load.failureValue?.key == "token_file" && load.failureValue?.message.contains("chmod 600") == true)
    }

    @Test("mover options are checked per kind: missing keys, bad values and unknown keys named")
    func optionProblems() throws {
        let group = try cloudGroup(.digitalocean, [
            "ip": "not-an-ip", "token_env": "X", "claim_timeout": "5", "colour": "blue",
        ])
        let problems = CloudMovers.problems(DigitalOceanProvider.self, group: group, credentials: false)
        let fields = Set(problems.map(\.field))
        #expect(fields == ["mover.ip", "mover.droplet_id", "mover.claim_timeout", "mover.colour"])
        #expect(problems.first { $0.field == "mover.colour" }?.message.contains("unknown option") == true)
        let hetzner = try cloudGroup(.hetzner, ["floating_ip_id": "1", "server_id": "2", "token_env": "X"])
        let needsInterface = CloudMovers.problems(HetznerCloudProvider.self, group: hetzner, credentials: false)
        #expect(needsInterface.map(\.field) == ["interface"])
        let unset = CloudMovers.problems(HetznerCloudProvider.self, group: hetzner, credentials: true, environment: [:])
        #expect(unset.map(\.field).contains("interface"))
        let aws = try cloudGroup(.aws, ["region": "us-east-1", "access_key_id": "AKID", "secret_key_env": "S"])
        let awsProblems = CloudMovers.problems(AWSProvider.self, group: aws, credentials: true, environment: [:])
        #expect(awsProblems.map(\.field) == ["mover.allocation_id"])
    }

    @Test("an endpoint or auth_url over plain http to another machine is refused unless allow_insecure_http: true")
    func plainHTTPNeedsConsent() throws {
        let options = ["ip": "198.18.0.100", "droplet_id": "1", "token_env": "X"]
        let plain = try cloudGroup(.digitalocean, options.merging(["endpoint": "http://198.18.0.254:8080"]) { $1 })
        let found = CloudMovers.problems(DigitalOceanProvider.self, group: plain, credentials: false)
        #expect(found.map(\.field) == ["mover.endpoint"])
        #expect(found.first?.message.contains("set `allow_insecure_http: true`") == true, "\(found)")
        let allowed = try cloudGroup(.digitalocean, options.merging(
            ["endpoint": "http://198.18.0.254:8080", "allow_insecure_http": "true"]) { $1 })
        #expect(CloudMovers.problems(DigitalOceanProvider.self, group: allowed, credentials: false).isEmpty)
        let loopback = try cloudGroup(.digitalocean, options.merging(["endpoint": "http://127.0.0.1:8080"]) { $1 })
        #expect(CloudMovers.problems(DigitalOceanProvider.self, group: loopback, credentials: false).isEmpty)
        let keystone = try cloudGroup(.openstack, [
            "auth_url": "http://keystone.example:5000", "application_credential_id": "a", "secret_env": "S",
            "floating_ip_id": "f", "port_id": "p",
        ])
        let openstack = CloudMovers.problems(OpenStackProvider.self, group: keystone, credentials: false)
        #expect(openstack.map(\.field) == ["mover.auth_url"], "\(openstack)")
        // And the mover is not made at all (the agent refuses what check-config refuses).
        #expect(throws: CloudSetupError.self) {
            _ = try CloudMovers.make(DigitalOceanProvider.self, group: plain, local: nil)
        }
    }
}

extension Result {
    var failureValue: Failure? { if case .failure(let error) = self { error } else { nil } }
}
