import FloatIPLinux
import Foundation
import Glibc
import Testing

/// The one rule for files that hold a secret, pure and on real files.
@Suite struct SecretFileRuleTests {
    @Test("owner root or the agent's user; others neither read nor write; group may read (a warning)")
    func judge() {
        let path = "/etc/floatip/secret"
        #expect(SecretFileRule.judge(path: path, mode: 0o100600, owner: 0, agentUID: 0) == .fine)
        #expect(SecretFileRule.judge(path: path, mode: 0o400, owner: 998, agentUID: 998) == .fine)
        #expect(SecretFileRule.judge(path: path, mode: 0o644, owner: 0, agentUID: 0)
            == .refused("/etc/floatip/secret can be read or written by others (mode 0644); run `chmod 600 /etc/floatip/secret`"))
        #expect(SecretFileRule.judge(path: path, mode: 0o602, owner: 0, agentUID: 0).refusal?.contains("chmod 600") == true)
        #expect(SecretFileRule.judge(path: path, mode: 0o660, owner: 0, agentUID: 0).refusal?.contains("written by its group")
            == true)
        let group = SecretFileRule.judge(path: path, mode: 0o640, owner: 0, agentUID: 998)
        #expect(group.refusal == nil && group.warning?.contains("mode 0640") == true)
        #expect(group.warning?.contains("chmod 600 /etc/floatip/secret") == true)
        #expect(SecretFileRule.judge(path: path, mode: 0o600, owner: 1000, agentUID: 998).refusal
            == "/etc/floatip/secret belongs to uid 1000, neither root nor the agent's user (uid 998), who could change "
            + "the secret; run `chown root /etc/floatip/secret`")
    }

    @Test func checkReadsTheFilesModeAndOwner() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-rule-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("secret".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        chmod(path, 0o600)
        #expect(SecretFileRule.check(path) == .fine)
        chmod(path, 0o640)
        #expect(SecretFileRule.check(path).warning != nil)
        chmod(path, 0o604)
        #expect(SecretFileRule.check(path).refusal?.contains("mode 0604") == true)
        #expect(SecretFileRule.check(path + ".missing") == .fine, "a missing file is left to the caller")
    }
}
