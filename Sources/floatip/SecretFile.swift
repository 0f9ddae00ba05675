import ArgumentParser
import FloatIPLinux
import Foundation

/// Reads the cluster's shared secret: the file's bytes with surrounding white space trimmed, at
/// least 16 of them (the same rule `check-config` applies). Exits 1 with a clear message otherwise.
func readSecret(_ path: String) throws -> [UInt8] {
    Array(try readKeyFile(path, field: "secret_file").utf8)
}

/// Reads a key file (`secret_file`, `api.token_file`): its text with surrounding white space
/// trimmed, at least 16 bytes of it, the file's owner and mode as `SecretFileRule` wants them (only
/// its mode when `client`: the CLI runs as an operator, whose uid is not the agent's). Exits 1 with a
/// message naming `field` otherwise.
func readKeyFile(_ path: String, field: String, client: Bool = false) throws -> String {
    if let refusal = SecretFileRule.check(path, owner: !client).refusal {
        printError("\(field): \(refusal)")
        throw ExitCode(1)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        printError("\(field) \(path): cannot read it (missing or no permission)")
        throw ExitCode(1)
    }
    let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard key.utf8.count >= 16 else {
        printError("\(field) \(path): holds \(key.utf8.count) bytes; at least 16 are needed")
        throw ExitCode(1)
    }
    return key
}
