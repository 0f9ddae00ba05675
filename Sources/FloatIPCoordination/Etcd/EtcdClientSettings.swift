import FloatIPCore
import FloatIPLinux
import Foundation
import NIOSSL

/// How an `EtcdClient` reaches etcd: the members, how long one request may take, and credentials.
public struct EtcdClientSettings: Sendable {
    /// Client URLs of the members (`http://127.0.0.1:2379`), tried in turn; a failing one is rotated away from.
    public var endpoints: [String]
    /// The longest one request to one member may take (connecting, the answer's head and its body).
    public var requestTimeout: Duration
    /// The etcd user and password, when etcd has authentication enabled.
    public var credentials: EtcdCredentials?
    /// PEM files for https endpoints: the CA that signs the members' certificates, and this client's
    /// certificate and key (both or neither).
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(
        endpoints: [String], requestTimeout: Duration = .seconds(2), credentials: EtcdCredentials? = nil,
        caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil
    ) {
        self.endpoints = endpoints
        self.requestTimeout = requestTimeout
        self.credentials = credentials
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    /// The TLS configuration for https endpoints: the system's trust roots, or `caFile`'s
    /// certificates; the client certificate and key when given. Throws a message naming the file.
    func tlsConfiguration() throws(EtcdSetupError) -> TLSConfiguration? {
        guard caFile != nil || certFile != nil || keyFile != nil else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            tls.trustRoots = .certificates(try Self.certificates(caFile, field: "ca_file"))
        }
        if let certFile, let keyFile {
            tls.certificateChain = try Self.certificates(certFile, field: "cert_file").map { .certificate($0) }
            if let refusal = SecretFileRule.check(keyFile).refusal {
                throw EtcdSetupError(field: "key_file", message: refusal)
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw EtcdSetupError(field: "key_file", message: "\(keyFile): cannot read a PEM private key "
                    + "(\(error))")
            }
        } else if certFile != nil || keyFile != nil {
            throw EtcdSetupError(field: "cert_file", message: "cert_file and key_file go together")
        }
        return tls
    }

    private static func certificates(_ path: String, field: String) throws(EtcdSetupError) -> [NIOSSLCertificate] {
        let found: [NIOSSLCertificate]
        do {
            found = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw EtcdSetupError(field: field, message: "\(path): cannot read PEM certificates (\(error))")
        }
        guard !found.isEmpty else {
            throw EtcdSetupError(field: field, message: "\(path): holds no PEM certificate")
        }
        return found
    }
}

/// An etcd user and its password. The password never appears in a description or an error.
public struct EtcdCredentials: Sendable, CustomStringConvertible {
    public var user: String
    var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Reads the password from `passwordFile`: its text with surrounding white space trimmed, not empty;
    /// the file's owner and mode as `SecretFileRule` wants them.
    public static func load(user: String, passwordFile: String) throws(EtcdSetupError) -> EtcdCredentials {
        if let refusal = SecretFileRule.check(passwordFile).refusal {
            throw EtcdSetupError(field: "password_file", message: refusal)
        }
        guard let data = FileManager.default.contents(atPath: passwordFile) else {
            throw EtcdSetupError(field: "password_file", message: "\(passwordFile): cannot read it (missing or "
                + "no permission)")
        }
        let password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !password.isEmpty else {
            throw EtcdSetupError(field: "password_file", message: "\(passwordFile): is empty")
        }
        return EtcdCredentials(user: user, password: password)
    }

    public var description: String { "user \(user)" }
}

/// Why an etcd client could not be set up: the `coordination` field (`password_file`) and what is wrong.
public struct EtcdSetupError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String
    /// `coordination.password_file /etc/floatip/etcd-password: is empty`.
    public var description: String { "coordination.\(field) \(message)" }

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
