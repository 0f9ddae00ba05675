import ArgumentParser
import Foundation

/// Reads the cluster's shared secret: the file's bytes with surrounding white space trimmed, at
/// least 16 of them (the same rule `check-config` applies). Exits 1 with a clear message otherwise.
func readSecret(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        printError("secret_file \(path): cannot read it (missing or no permission)")
        throw ExitCode(1)
    }
    let secret = Array(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
    guard secret.count >= 16 else {
        printError("secret_file \(path): holds \(secret.count) bytes; at least 16 are needed")
        throw ExitCode(1)
    }
    return secret
}
