@testable import FloatIPCoordination
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// etcd's password file and TLS key follow the one rule for secret files: refused when others may
/// read them, allowed (check-config warns) when their group may.
@Suite struct EtcdSecretFileTests {
    @Test func aPasswordFileOthersCanReadIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-etcd-pw-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("root-secret-1\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        chmod(path, 0o644)
        do {
            _ = try EtcdCredentials.load(user: "root", passwordFile: path)
            Issue.record("a world-readable password file was used")
        } catch {
            #expect(error.field == "password_file")
            #expect("\(error)" == "coordination.password_file \(path) can be read or written by others (mode 0644); "
                + "run `chmod 600 \(path)`")
        }
        chmod(path, 0o640)
        #expect(try EtcdCredentials.load(user: "root", passwordFile: path).password == "root-secret-1")
    }

    @Test(.enabled(if: TestCertificates.available)) func aClientKeyOthersCanReadIsRefused() throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        chmod(pki.clientKeyFile, 0o644)
        let settings = EtcdClientSettings(
            endpoints: ["https://127.0.0.1:2379"], caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile)
        do {
            _ = try settings.tlsConfiguration()
            Issue.record("a world-readable client key was used")
        } catch {
            #expect(error.field == "key_file" && error.message.contains("chmod 600 \(pki.clientKeyFile)"), "\(error)")
        }
    }
}
