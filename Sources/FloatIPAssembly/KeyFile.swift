import FloatIPLinux
import Foundation

/// The one rule for a file holding a shared secret or a token (`secret_file`, `api.token_file`):
/// its key is its text with surrounding white space trimmed, at least `minimumBytes` long, and the
/// file's owner and mode are as `SecretFileRule` wants them. The agent reads it with `read`;
/// `check-config` applies the same rule through `validate` (`ConfigValidation+KeyFiles.swift`).
public enum KeyFile {
    /// The shortest key accepted, in bytes after trimming.
    public static let minimumBytes = 16

    /// The key a file's bytes hold: their text with surrounding white space trimmed.
    public static func key(in data: Data) -> String {
        String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reads the key at `path`, or throws a message naming `field`. With `client` only the file's
    /// mode is checked, not its owner: the CLI runs as an operator, whose uid is not the agent's.
    public static func read(_ path: String, field: String, client: Bool = false) throws(KeyFileError) -> String {
        if let refusal = SecretFileRule.check(path, owner: !client).refusal {
            throw KeyFileError(message: "\(field): \(refusal)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyFileError(message: "\(field) \(path): cannot read it (missing or no permission)")
        }
        let key = Self.key(in: data)
        guard key.utf8.count >= minimumBytes else {
            throw KeyFileError(message: "\(field) \(path): holds \(key.utf8.count) bytes; at least \(minimumBytes) are needed")
        }
        return key
    }
}

/// Why a key file cannot be used; the message names the field and the file.
public struct KeyFileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
