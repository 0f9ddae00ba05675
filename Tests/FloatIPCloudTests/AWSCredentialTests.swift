@testable import FloatIPCloud
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// The `aws` mover's credentials: the instance profile through a fake IMDSv2 (token required, its
/// TTL honoured, keys that expire during the test), the environment and the shared credentials
/// file in the SDKs' order, and what is wrong with each named clearly and without a secret. The
/// EC2 calls go to `AWSMetadataFake.ec2`, which checks each request's SigV4 signature, key, session
/// token and expiry. Nothing here goes near 169.254.169.254: every mover gets `imds_endpoint`.
@Suite("AWS credentials (fake IMDSv2, environment, shared file)", .serialized)
struct AWSCredentialTests {
    static func keys(_ name: String, expiresIn seconds: Double, token: Bool = true) -> AWSMetadataFake.Keys {
        AWSMetadataFake.Keys(
            accessKeyID: "ASIA\(name)", secretKey: "secret-\(name)-0123456789abcdef",
            token: token ? "token-\(name)-FwoGZXIvYXdzEJr" : nil,
            // Whole seconds, as IMDS writes `Expiration`: the fake and the mover agree on the instant.
            expiration: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + seconds).rounded(.up)))
    }

    /// The fake on 127.0.0.1 (metadata service and EC2 in one), and a mover of an Elastic IP held by
    /// `i-mine` that reaches both through it.
    func setUp(_ fake: AWSMetadataFake, options: [String: String] = [:], environment: [String: String] = [:]) async throws
        -> (server: FakeProviderServer, mover: any Mover & MoverTelemetrySource, group: GroupConfig)
    {
        let server = try await FakeProviderServer.start { fake.handle($0) ?? fake.ec2($0) }
        var all = [
            "endpoint": server.baseURL, "imds_endpoint": server.baseURL, "allocation_id": "eipalloc-1", "instance_id": "i-mine",
            "claim_timeout": "5s",
        ]
        all.merge(options) { $1 }
        let (mover, group) = try makeMover(AWSProvider.self, all, environment: environment)
        return (server, mover, group)
    }

    @Test("instance profile: a session token first, the region and keys from IMDS, refreshed before they expire")
    func instanceProfile() async throws {
        let fake = AWSMetadataFake(keys: [])
        let (server, mover, group) = try await setUp(fake)
        defer { Task { await server.stop() } }
        // Set just before the first call, so a slow start on a loaded machine does not eat their life.
        let first = Self.keys("FIRST", expiresIn: 4), second = Self.keys("SECOND", expiresIn: 3600)
        fake.state.withLock { $0.keys = [first, second] }

        #expect(try await mover.holder(of: group) == .this)
        #expect(fake.signedWith == [first.accessKeyID], "signed with the role's keys, its token, in IMDS's region")
        #expect(fake.tokenRequests == 1 && fake.credentialRequests == 1)
        #expect(fake.state.withLock { $0.ttls } == [21600])
        #expect(try await mover.holder(of: group) == .this)
        #expect(fake.credentialRequests == 1, "keys with seconds to live are kept, not asked for again")

        // Past half their lifetime (the refresh point of short-lived keys) and past the point where
        // the service hands out the next ones (1 s before), before they expire.
        try await Task.sleep(for: .seconds(max(0, first.expiration.timeIntervalSinceNow - 0.6)))
        #expect(try await mover.holder(of: group) == .this)
        #expect(Date() < first.expiration)
        #expect(fake.credentialRequests == 2)
        #expect(fake.signedWith.last == second.accessKeyID, "\(fake.signedWith)")
        #expect(fake.tokenRequests == 1 && fake.refusedTokens == 0, "the session token is kept for its TTL")
        #expect(server.unrecognised.isEmpty, "\(server.unrecognised)")
    }

    @Test("IMDSv2: a GET without a token is refused; a token is renewed at its TTL, and again after a 401")
    func sessionToken() async throws {
        let fake = AWSMetadataFake(keys: [Self.keys("A", expiresIn: 3600)])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        defer { Task { await server.stop() } }
        let http = ProviderHTTP(provider: "EC2 instance metadata", policy: RetryPolicy(requestTimeout: .seconds(2)), telemetry: TelemetryRecorder(kind: "t"))
        let bare = try await http.send(deadline: .now + .seconds(5), accept: [401]) {
            ProviderRequest(method: "GET", url: server.baseURL + "/latest/meta-data/placement/region")
        }
        #expect(bare.status == 401, "the fake is IMDSv2-only, as the mover expects")

        let metadata = AWSInstanceMetadata(endpoint: server.baseURL, http: http, tokenTTL: 1)
        #expect(try await metadata.get("meta-data/placement/region", deadline: .now + .seconds(5)) == "eu-west-1")
        #expect(try await metadata.get("meta-data/placement/region", deadline: .now + .seconds(5)) == "eu-west-1")
        #expect(fake.tokenRequests == 1)
        try await Task.sleep(for: .seconds(1))
        #expect(try await metadata.get("meta-data/placement/region", deadline: .now + .seconds(5)) == "eu-west-1")
        // The one refusal is the bare GET's: the token was renewed before its TTL ran out, not after a 401.
        #expect(fake.tokenRequests == 2 && fake.refusedTokens == 1)
        #expect(fake.state.withLock { $0.ttls } == [1, 1])

        fake.forgetTokens()
        let (refused, tokens) = (fake.refusedTokens, fake.tokenRequests)
        #expect(try await metadata.get("meta-data/placement/region", deadline: .now + .seconds(5)) == "eu-west-1")
        #expect(fake.refusedTokens == refused + 1 && fake.tokenRequests == tokens + 1, "a 401 gets a fresh token, once")
        #expect(server.unrecognised.isEmpty, "\(server.unrecognised)")
    }

    @Test("no role, an answer without a field, a service that is not there: errors that say so, without a secret")
    func metadataProblems() async throws {
        let keys = Self.keys("K", expiresIn: 3600)
        let fake = AWSMetadataFake(keys: [keys])
        fake.state.withLock { $0.role = nil }
        let (server, mover, group) = try await setUp(fake, options: ["region": "eu-west-1"])
        defer { Task { await server.stop() } }
        let noRole = await providerError { _ = try await mover.holder(of: group) }
        #expect(noRole?.provider == "EC2 instance metadata")
        #expect(noRole?.message.contains("this instance has no IAM role") == true, "\(String(describing: noRole))")

        fake.state.withLock {
            $0.role = "floatip-role"
            $0.omit = ["Token"]
        }
        let noToken = await providerError { _ = try await mover.holder(of: group) }
        #expect(noToken?.kind == .malformed)
        #expect(noToken?.message == "the answer has no `Token`", "\(String(describing: noToken))")
        #expect(!"\(String(describing: noToken))".contains(keys.secretKey))

        fake.state.withLock { $0.omit = ["Expiration"] }
        let noExpiration = await providerError { _ = try await mover.holder(of: group) }
        #expect(noExpiration?.message == "the answer has no `Expiration`")
        #expect(fake.signedWith.isEmpty)
        #expect(server.unrecognised.isEmpty, "\(server.unrecognised)")

        // No metadata service (the agent is not on EC2): a clear error by claim_timeout. Port 9 on
        // loopback, outside the ephemeral range, so no other test's fake can be listening there.
        let (away, _) = try makeMover(AWSProvider.self, [
            "endpoint": server.baseURL, "imds_endpoint": "http://127.0.0.1:9", "allocation_id": "eipalloc-1",
            "instance_id": "i-mine", "claim_timeout": "1s", "region": "eu-west-1",
        ], environment: [:])
        let unreachable = await providerError { _ = try await away.holder(of: group) }
        #expect(unreachable?.provider == "EC2 instance metadata")
        #expect(unreachable?.kind == .transport || unreachable?.kind == .deadline, "\(String(describing: unreachable))")
        #expect(unreachable?.message.contains("asked because none of the other sources has keys") == true)
        let (noRegion, _) = try makeMover(AWSProvider.self, [
            "endpoint": server.baseURL, "imds_endpoint": "http://127.0.0.1:9", "allocation_id": "eipalloc-1",
            "instance_id": "i-mine", "claim_timeout": "1s", "access_key_id": "AKIA1", "secret_key_env": "S",
        ], environment: ["S": "secret-value-0123456789"])
        let regionless = await providerError { _ = try await noRegion.holder(of: group) }
        #expect(regionless?.message.contains("neither `region` nor AWS_REGION is set") == true, "\(String(describing: regionless))")
    }

    @Test("the SDKs' order: the environment, then the shared file's profile (AWS_PROFILE), then the instance profile")
    func chainOrder() async throws {
        let imds = Self.keys("IMDS", expiresIn: 3600)
        let fromEnvironment = Self.keys("ENV", expiresIn: 3600, token: false)
        let fromFile = Self.keys("FILE", expiresIn: 3600, token: false)
        let fromOther = Self.keys("OTHER", expiresIn: 3600)
        let fake = AWSMetadataFake(keys: [imds])
        fake.state.withLock { $0.otherKeys = [fromEnvironment, fromFile, fromOther] }
        let home = try ScratchDirectory("floatip-aws-home")
        defer { home.remove() }
        try FileManager.default.createDirectory(atPath: home.file(".aws"), withIntermediateDirectories: true)
        let credentials = home.file(".aws/credentials")
        try Data("""
            # written by `aws configure`
            [default]
            aws_access_key_id = \(fromFile.accessKeyID)
            aws_secret_access_key = \(fromFile.secretKey)

            [other]
            AWS_ACCESS_KEY_ID=\(fromOther.accessKeyID)
            aws_secret_access_key=\(fromOther.secretKey)
            aws_session_token=\(fromOther.token ?? "")
            """.utf8).write(to: URL(fileURLWithPath: credentials))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentials)
        let server = try await FakeProviderServer.start { fake.handle($0) ?? fake.ec2($0) }
        defer { Task { await server.stop() } }

        func signer(_ environment: [String: String], _ options: [String: String] = [:]) async throws -> String? {
            var all = [
                "endpoint": server.baseURL, "imds_endpoint": server.baseURL, "allocation_id": "eipalloc-1",
                "instance_id": "i-mine", "region": "eu-west-1", "claim_timeout": "3s",
            ]
            all.merge(options) { $1 }
            let (mover, group) = try makeMover(AWSProvider.self, all, environment: environment)
            #expect(try await mover.holder(of: group) == .this)
            return fake.signedWith.last
        }
        let withEnvironment = [
            "HOME": home.path, "AWS_ACCESS_KEY_ID": fromEnvironment.accessKeyID, "AWS_SECRET_ACCESS_KEY": fromEnvironment.secretKey,
        ]
        #expect(try await signer(withEnvironment) == fromEnvironment.accessKeyID)
        #expect(try await signer(["HOME": home.path]) == fromFile.accessKeyID)
        #expect(try await signer(["HOME": home.path, "AWS_PROFILE": "other"]) == fromOther.accessKeyID)
        #expect(try await signer(["AWS_SHARED_CREDENTIALS_FILE": credentials]) == fromFile.accessKeyID)
        #expect(try await signer([:]) == imds.accessKeyID)
        // A profile named in the options is the only source: the environment does not win over it.
        #expect(try await signer(withEnvironment, ["profile": "other"]) == fromOther.accessKeyID)
        #expect(try await signer([:], ["profile": "other", "shared_credentials_file": credentials]) == fromOther.accessKeyID)
        // Keys in the options (with a session token) come before everything.
        #expect(try await signer(withEnvironment.merging(["SECRET": fromOther.secretKey, "TOKEN": fromOther.token ?? ""]) { $1 }, [
            "access_key_id": fromOther.accessKeyID, "secret_key_env": "SECRET", "session_token_env": "TOKEN",
        ]) == fromOther.accessKeyID)
        #expect(fake.credentialRequests == 1, "the instance profile is asked only when nothing comes before it")
        #expect(server.unrecognised.isEmpty, "\(server.unrecognised)")
    }

    @Test("what is wrong with each source is named by option or variable, in check-config and at the claim")
    func badSources() async throws {
        let home = try ScratchDirectory("floatip-aws-home")
        defer { home.remove() }
        try FileManager.default.createDirectory(atPath: home.file(".aws"), withIntermediateDirectories: true)
        let file = home.file(".aws/credentials")
        let secret = "file-secret-0123456789abcdef"
        try Data("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = \(secret)\n[half]\naws_access_key_id = AKIAHALF\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let base = ["allocation_id": "eipalloc-1", "instance_id": "i-mine", "imds_endpoint": "http://127.0.0.1:9"]
        func problems(_ options: [String: String], _ environment: [String: String] = [:]) throws -> [String] {
            let group = try cloudGroup(.aws, base.merging(options) { $1 })
            return CloudMovers.problems(AWSProvider.self, group: group, credentials: true, environment: environment)
                .map { "\($0.field): \($0.message)" }
        }
        #expect(try problems([:]) == [], "nothing local: the instance profile is asked at the claim")
        #expect(try problems(["access_key_id": "AKIA1"]).first?.hasPrefix("mover.secret_key_file: missing: `access_key_id` needs") == true)
        #expect(try problems(["secret_key_env": "S"]).first?.hasPrefix("mover.access_key_id: missing") == true)
        #expect(try problems(["access_key_id": "AKIA1", "secret_key_env": "S", "profile": "p"]).first?.hasPrefix("mover.profile:") == true)
        #expect(try problems(["access_key_id": "AKIA1", "secret_key_env": "S", "session_token_env": "T"], ["S": "s3cr3t-value"])
            == ["mover.session_token_env: environment variable T is not set; it must hold the AWS session token"])
        #expect(try problems(["imds_endpoint": "169.254.169.254"]).first?.hasPrefix("mover.imds_endpoint: `169.254.169.254` is not") == true)
        #expect(try problems(["profile": "nobody"], ["HOME": home.path]) == ["mover.profile: \(file) has no keys under profile [nobody]"])
        #expect(try problems([:], ["HOME": home.path, "AWS_PROFILE": "nobody"])
            == ["mover.profile: \(file) has no keys under profile [nobody] (named by AWS_PROFILE)"])
        #expect(try problems([:], ["HOME": home.path, "AWS_PROFILE": "half"])
            == ["mover.profile: \(file): profile [half] has `aws_access_key_id` but no `aws_secret_access_key`"])
        #expect(try problems([:], ["AWS_ACCESS_KEY_ID": "AKIAENV"])
            == ["mover.access_key_id: the agent's environment has AWS_ACCESS_KEY_ID but no AWS_SECRET_ACCESS_KEY; set both, or neither"])
        #expect(try problems(["shared_credentials_file": home.file("none")])
            == ["mover.shared_credentials_file: \(home.file("none")) does not exist; it must be an AWS shared credentials file with profile [default]"])
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let open = try problems([:], ["HOME": home.path])
        #expect(open.count == 1 && open[0].contains("can be read or written by others (mode 0644); run `chmod 600"), "\(open)")
        #expect(!open.joined().contains(secret))

        // At the claim, the same words; the metadata service disabled leaves nothing to try.
        let (mover, group) = try makeMover(AWSProvider.self, base.merging(["region": "eu-west-1"]) { $1 },
                                           environment: ["AWS_EC2_METADATA_DISABLED": "true"])
        do {
            _ = try await mover.holder(of: group)
            Issue.record("a mover without credentials answered")
        } catch let problem as CredentialProblem {
            #expect(problem.key == "access_key_id")
            #expect(problem.message.contains("AWS_EC2_METADATA_DISABLED=true"), "\(problem)")
        }
    }

    @Test("the shared credentials file's INI: sections, comments, case, `:` or `=`, half a key")
    func sharedFileParsing() {
        let text = """
            ; comment
            [default]
            aws_access_key_id = AKIA1
              aws_secret_access_key: s1
            [prod]
            # comment
            Aws_Access_Key_Id=AKIA2
            aws_secret_access_key = s2 
            aws_session_token = t2
            [empty]
            region = eu-west-1
            """
        #expect(AWSSharedCredentialsFile.lookup("default", in: text) == .found(accessKeyID: "AKIA1", secretKey: "s1", sessionToken: nil))
        #expect(AWSSharedCredentialsFile.lookup("prod", in: text) == .found(accessKeyID: "AKIA2", secretKey: "s2", sessionToken: "t2"))
        #expect(AWSSharedCredentialsFile.lookup("empty", in: text) == .absent)
        #expect(AWSSharedCredentialsFile.lookup("none", in: text) == .absent)
        #expect(AWSSharedCredentialsFile.lookup("x", in: "[x]\naws_secret_access_key = s\n") == .incomplete(
            "profile [x] has `aws_secret_access_key` but no `aws_access_key_id`"))
    }
}
