import Foundation

/// A throw-away PKI for TLS tests, made with the `openssl` command in a temporary directory: a CA,
/// a server certificate for 127.0.0.1 and a client certificate signed by it, and a second CA that
/// signed neither (for "wrong CA" cases). EC P-256 keys, valid one day. `remove()` deletes it all.
///
/// The server certificate is also good for client auth: etcd's JSON gateway connects to etcd's own
/// gRPC server with it, and with `--client-cert-auth` that connection is refused otherwise
/// (HTTP 503 "connection closed" on every call).
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var serverCertFile: String { directory + "/server.pem" }
    public var serverKeyFile: String { directory + "/server.key" }
    public var clientCertFile: String { directory + "/client.pem" }
    public var clientKeyFile: String { directory + "/client.key" }
    /// A CA that signed nothing here.
    public var otherCAFile: String { directory + "/other-ca.pem" }

    /// Whether the `openssl` command is there (scripts/test-packages.txt installs it).
    public static var available: Bool { ExternalTool.path(of: "openssl") != nil }

    public init() throws {
        directory = NSTemporaryDirectory() + "floatip-pki-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try makeCA("ca", name: "floatip test CA")
            try makeCA("other-ca", name: "floatip other CA")
            try issue("server", name: "etcd", extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
            try issue("client", name: "floatip", extensions: "extendedKeyUsage=clientAuth\n")
        } catch {
            remove()
            throw error
        }
    }

    public func remove() { try? FileManager.default.removeItem(atPath: directory) }

    private func openssl(_ arguments: [String]) throws {
        guard let tool = ExternalTool.path(of: "openssl") else {
            throw CommandError(arguments: ["openssl"], status: 127, stderr: "needs openssl (apt-get install openssl)")
        }
        _ = try command([tool] + arguments)
    }

    private func makeCA(_ file: String, name: String) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(directory)/\(file).key", "-out", "\(directory)/\(file).pem", "-days", "1", "-subj", "/CN=\(name)",
        ])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(directory)/\(file).key")
    }

    private func issue(_ file: String, name: String, extensions: String) throws {
        let base = "\(directory)/\(file)"
        try extensions.write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
            "-out", base + ".csr", "-subj", "/CN=\(name)",
        ])
        // Private keys are secret files: floatip refuses one that others can read.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: base + ".key")
        try openssl([
            "x509", "-req", "-in", base + ".csr", "-CA", caFile, "-CAkey", directory + "/ca.key", "-CAcreateserial",
            "-out", base + ".pem", "-days", "1", "-extfile", base + ".ext",
        ])
    }
}
