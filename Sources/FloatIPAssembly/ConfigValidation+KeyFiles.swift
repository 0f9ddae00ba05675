import FloatIPCore
import FloatIPLinux
import Foundation

extension ConfigValidation {
    /// The secret, the API token and the movers' secret files: `KeyFile`'s rule for the first two,
    /// `SecretFileRule`'s warnings for the others (their refusals come with their movers' problems).
    mutating func checkKeyFiles(_ config: ClusterConfig) {
        checkKeyFile(config.secretFile, field: "secret_file")
        if let tokenFile = config.api.tokenFile { checkKeyFile(tokenFile, field: "api.token_file") }
        for (path, secretFile) in Self.moverSecretFiles(config) {
            if let warning = SecretFileRule.check(secretFile).warning { self.warning(path, warning) }
        }
        // A VRRP group's password: read as the agent reads it (1–8 bytes, kept like the secret).
        for (index, group) in config.groups.enumerated() {
            guard let path = group.vrrp?.authPassFile else { continue }
            do {
                _ = try VRRPPassword.read(path, group: group.name)
            } catch {
                fileProblem("groups[\(index)].vrrp.auth_pass_file", error.message)
            }
        }
    }

    /// A file holding a shared secret or a token: it must be readable, hold `KeyFile.minimumBytes`
    /// after trimming white space, and pass `SecretFileRule` (refused: a problem; group-readable: a warning).
    private mutating func checkKeyFile(_ path: String, field: String) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            fileProblem(field, "\(path) does not exist; create it with at least \(KeyFile.minimumBytes) random bytes, e.g. "
                + "`head -c 32 /dev/urandom | base64 > \(path) && chmod 600 \(path)`")
            return
        }
        guard !isDirectory.boolValue else {
            fileProblem(field, "\(path) is a directory; it must be a file holding the key")
            return
        }
        guard manager.isReadableFile(atPath: path), let data = manager.contents(atPath: path) else {
            fileProblem(field, "\(path) is not readable by this user; the agent must be able to read it")
            return
        }
        let key = KeyFile.key(in: data)
        if key.utf8.count < KeyFile.minimumBytes {
            fileProblem(field, "\(path) holds \(key.utf8.count) bytes after trimming white space; "
                + "at least \(KeyFile.minimumBytes) are required")
        }
        switch SecretFileRule.check(path) {
        case .fine: break
        case .groupReadable(let message): warning(field, message)
        case .refused(let message): fileProblem(field, message)
        }
    }

    /// The secret files of the `dns` movers (`key_file`) and of etcd (`password_file`, `key_file`),
    /// with their config paths.
    static func moverSecretFiles(_ config: ClusterConfig) -> [(path: String, file: String)] {
        var files: [(path: String, file: String)] = []
        for (index, group) in config.groups.enumerated() where group.mover.kind == .dns {
            if let keyFile = group.mover.options["key_file"] { files.append(("groups[\(index)].mover.key_file", keyFile)) }
        }
        if let coordination = config.coordination {
            if let password = coordination.passwordFile { files.append(("coordination.password_file", password)) }
            if let key = coordination.keyFile { files.append(("coordination.key_file", key)) }
        }
        return files
    }
}
