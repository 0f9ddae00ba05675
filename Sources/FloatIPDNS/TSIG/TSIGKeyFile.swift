import Foundation

/// Reads a TSIG key from what an operator has: a BIND key file as `tsig-keygen` writes it
///
///     key "floatip" {
///         algorithm hmac-sha256;
///         secret "base64…";
///     };
///
/// or a file holding only the base64 secret (then the key's name comes from the config).
public enum TSIGKeyFile {
    /// Parses `text`. `name` (the config's `key_name`) picks a key in a BIND file that holds
    /// several, and names the key of a bare secret. Errors never contain the secret.
    public static func parse(_ text: String, name: String?) throws(TSIGKeyFileError) -> TSIGKey {
        let requested: DNSName?
        do {
            requested = try name.map { name throws(DNSWireError) in try DNSName(name) }
        } catch {
            throw .invalid("key_name: \(error)")
        }
        let tokens = tokenize(text)
        guard tokens.contains("key") else {
            guard let requested else {
                throw .invalid("the file holds a bare secret, so the key name must be given (key_name)")
            }
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty, !secret.contains(where: \.isWhitespace), let bytes = Data(base64Encoded: secret) else {
                throw .invalid("neither a BIND key file (key \"NAME\" { algorithm …; secret \"…\"; };) nor one base64 secret")
            }
            guard bytes.count >= 16 else { throw .invalid("the secret is \(bytes.count) bytes; at least 16 are needed") }
            return TSIGKey(name: requested, secret: Array(bytes))
        }
        var keys: [TSIGKey] = []
        var index = 0
        while index < tokens.count {
            guard tokens[index] == "key" else {
                index += 1
                continue
            }
            guard index + 2 < tokens.count, tokens[index + 2] == "{" else {
                throw .invalid("expected key \"NAME\" { after `key`")
            }
            let keyName: DNSName
            do { keyName = try DNSName(tokens[index + 1]) } catch { throw .invalid("key name: \(error)") }
            index += 3
            var algorithm: String?
            var secret: String?
            while index < tokens.count, tokens[index] != "}" {
                let field = tokens[index]
                guard index + 2 < tokens.count, tokens[index + 2] == ";" else {
                    throw .invalid("key \(keyName): expected `\(field) VALUE;`")
                }
                switch field {
                case "algorithm": algorithm = tokens[index + 1]
                case "secret": secret = tokens[index + 1]
                default: throw .invalid("key \(keyName): unknown field `\(field)` (expected algorithm and secret)")
                }
                index += 3
            }
            guard index < tokens.count else { throw .invalid("key \(keyName): missing `}`") }
            index += 1
            guard let algorithmText = algorithm, let secret else {
                throw .invalid("key \(keyName): needs both `algorithm` and `secret`")
            }
            guard let parsed = TSIGAlgorithm(rawValue: algorithmText.lowercased()) else {
                throw .invalid("key \(keyName): algorithm \(algorithmText) is not supported; use "
                    + TSIGAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let bytes = Data(base64Encoded: secret) else { throw .invalid("key \(keyName): the secret is not base64") }
            guard bytes.count >= 16 else {
                throw .invalid("key \(keyName): the secret is \(bytes.count) bytes; at least 16 are needed")
            }
            keys.append(TSIGKey(name: keyName, algorithm: parsed, secret: Array(bytes)))
        }
        if let requested {
            guard let key = keys.first(where: { $0.name == requested }) else {
                throw .invalid("no key named \(requested) (keys in the file: "
                    + keys.map(\.name.description).joined(separator: ", ") + ")")
            }
            return key
        }
        guard keys.count == 1, let key = keys.first else {
            throw .invalid("the file holds \(keys.count) keys; name the one to use with key_name")
        }
        return key
    }

    /// Words, quoted strings (unquoted), `{`, `}` and `;`; comments (`#`, `//`, `/* */`) dropped.
    private static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(text)[...]
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        while let char = chars.first {
            chars = chars.dropFirst()
            if quoted {
                if char == "\"" {
                    tokens.append(current)
                    current = ""
                    quoted = false
                } else {
                    current.append(char)
                }
                continue
            }
            switch char {
            case "\"":
                flush()
                quoted = true
            case "{", "}", ";":
                flush()
                tokens.append(String(char))
            case "#":
                flush()
                chars = chars.drop(while: { $0 != "\n" })
            case "/" where chars.first == "/":
                flush()
                chars = chars.drop(while: { $0 != "\n" })
            case "/" where chars.first == "*":
                flush()
                chars = chars.dropFirst()
                while !chars.isEmpty, !(chars.first == "*" && chars.dropFirst().first == "/") { chars = chars.dropFirst() }
                chars = chars.dropFirst(2)
            default:
                if char.isWhitespace { flush() } else { current.append(char) }
            }
        }
        flush()
        return tokens
    }
}

/// Why a TSIG key file could not be used; never contains the secret.
public enum TSIGKeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): reason
        }
    }
}
