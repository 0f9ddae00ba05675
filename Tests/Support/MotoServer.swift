import FloatIPCloud
import Foundation
import Glibc

/// `moto_server` (PyPI `moto[server]`) on 127.0.0.1 and a free port, with signature checking on:
/// `INITIAL_NO_AUTH_ACTION_COUNT=3` lets the first three calls (an IAM user, its access key, its
/// policy) through unsigned-checked, and every later call must be signed with that key. Started
/// by the test and ended by PID (also when the test fails: `stop()` in a `defer`).
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    /// The IAM user's access key, for the movers under test.
    public private(set) var accessKeyID = ""
    public private(set) var secretKey = ""
    private let process: Process

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Where `moto_server` is, from PATH; nil when it is not installed.
    public static let executable: String? = ExternalTool.path(of: "moto_server")

    /// Whether the moto suites run: moto is installed, or this is CI (where a missing moto must fail).
    public static let shouldRun = executable != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    public static let skipReason = "moto_server not found: `pip install 'moto[server]'` (scripts/test installs it as root)"

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// Starts moto, waits until it answers (at most 30 s), and creates the IAM user the tests sign with.
    /// `checkSignatures: false` leaves moto's signature check off: moto 5 checks a request without a
    /// body against its query string (or its headers) as if that were the body, so every signed
    /// REST `GET` (Route 53's) fails its check, boto3's included.
    public static func start(checkSignatures: Bool = true) async throws -> MotoServer {
        guard let executable else { throw MotoError("moto_server is not installed (CI=true): " + skipReason) }
        guard let port = Loopback.freePort() else { throw MotoError("no free port on 127.0.0.1") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        var environment = ProcessInfo.processInfo.environment
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = checkSignatures ? "3" : nil
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(port: port, process: process)
        do {
            try await server.waitUntilListening()
            try await server.createUser()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Ends moto by its PID and waits for it. SIGKILL: Foundation's Process passes on the spawning
    /// thread's signal mask, and the test runner's threads block SIGTERM.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A signed query-API call (EC2 or IAM) as the test's IAM user (or with dummy keys before it exists).
    public func call(
        _ action: String, _ parameters: [(String, String)], service: String = "ec2", version: String = AWSQuery.ec2Version,
        accessKeyID: String? = nil, secretKey: String? = nil
    ) async throws -> XMLAnswer {
        let http = ProviderHTTP(
            provider: "moto", policy: RetryPolicy(requestTimeout: .seconds(10), maxAttempts: 1),
            telemetry: TelemetryRecorder(kind: "moto"),
            describe: { String(decoding: $0.body.prefix(400), as: UTF8.self) })
        let signer = SigV4(
            accessKeyID: accessKeyID ?? (self.accessKeyID.isEmpty ? "AKIDSETUP" : self.accessKeyID),
            secretKey: secretKey ?? (self.secretKey.isEmpty ? "setup" : self.secretKey), region: "us-east-1", service: service)
        let query = AWSQuery(http: http, endpoint: endpoint, signer: signer, version: version)
        return try await query.call(action, parameters, deadline: .now + .seconds(20))
    }

    /// A signed REST call (Route 53: `POST /2013-04-01/hostedzone` with an XML body) as the test's
    /// IAM user; the answer's XML, or a `ProviderError` for an error status.
    public func rest(
        _ method: String, _ path: String, body: String = "", service: String = "route53"
    ) async throws -> XMLAnswer {
        let http = ProviderHTTP(
            provider: "moto", policy: RetryPolicy(requestTimeout: .seconds(10), maxAttempts: 1),
            telemetry: TelemetryRecorder(kind: "moto"),
            describe: { String(decoding: $0.body.prefix(400), as: UTF8.self) })
        let signer = SigV4(accessKeyID: accessKeyID, secretKey: secretKey, region: "us-east-1", service: service)
        let url = endpoint + path
        let bytes = Array(body.utf8)
        let host = "127.0.0.1:\(port)"
        let response = try await http.send(deadline: .now + .seconds(20)) {
            let headers = signer.sign(method: method, path: path, headers: [("Host", host)], body: bytes, date: Date())
            return ProviderRequest(method: method, url: url, headers: headers, body: bytes)
        }
        return try XMLAnswer.parse(response.body)
    }

    /// Temporary credentials of a role that may call EC2, from STS `AssumeRole` as the test's user
    /// (the role is made on first use): what an instance profile hands out. moto checks their
    /// session token (`X-Amz-Security-Token`) on every signed request.
    public func assumeRole(session: String) async throws -> (accessKeyID: String, secretKey: String, token: String) {
        let iam = "2010-05-08"
        if !roleMade {
            let trust = #"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":\#
                {"AWS":"arn:aws:iam::123456789012:user/floatip"},"Action":"sts:AssumeRole"}]}
                """#
            _ = try await call(
                "CreateRole", [("RoleName", "floatip-role"), ("AssumeRolePolicyDocument", trust)], service: "iam", version: iam)
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#
            _ = try await call(
                "PutRolePolicy", [("RoleName", "floatip-role"), ("PolicyName", "ec2"), ("PolicyDocument", policy)],
                service: "iam", version: iam)
            roleMade = true
        }
        let answer = try await call(
            "AssumeRole",
            [("RoleArn", "arn:aws:iam::123456789012:role/floatip-role"), ("RoleSessionName", session),
             ("DurationSeconds", "900")],
            service: "sts", version: "2011-06-15")
        guard let id = answer.first("AccessKeyId")?.text, let secret = answer.first("SecretAccessKey")?.text,
            let token = answer.first("SessionToken")?.text
        else { throw MotoError("moto's AssumeRole answer has no credentials") }
        return (id, secret, token)
    }

    private var roleMade = false

    private func createUser() async throws {
        let iam = "2010-05-08"
        _ = try await call("CreateUser", [("UserName", "floatip")], service: "iam", version: iam)
        let key = try await call("CreateAccessKey", [("UserName", "floatip")], service: "iam", version: iam)
        guard let id = key.first("AccessKeyId")?.text, let secret = key.first("SecretAccessKey")?.text else {
            throw MotoError("moto's CreateAccessKey answer has no key")
        }
        let policy = #"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","route53:*",\#
            "iam:CreateRole","iam:PutRolePolicy","sts:AssumeRole"],"Resource":"*"}]}
            """#
        _ = try await call(
            "PutUserPolicy", [("UserName", "floatip"), ("PolicyName", "ec2"), ("PolicyDocument", policy)], service: "iam",
            version: iam)
        accessKeyID = id
        secretKey = secret
    }

    private func waitUntilListening() async throws {
        for _ in 0..<300 {
            guard process.isRunning else { throw MotoError("moto_server exited at once (status \(process.terminationStatus))") }
            if Loopback.acceptsConnections(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MotoError("moto_server did not listen on 127.0.0.1:\(port) within 30 s")
    }
}

public struct MotoError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
