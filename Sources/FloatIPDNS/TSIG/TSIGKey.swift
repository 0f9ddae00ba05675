import Crypto

/// A TSIG key: its name (which the server looks it up by), algorithm and secret. The secret is
/// never printed: `description` shows the name and algorithm only.
public struct TSIGKey: Sendable, CustomStringConvertible {
    public var name: DNSName
    public var algorithm: TSIGAlgorithm
    let secret: SymmetricKey

    public init(name: DNSName, algorithm: TSIGAlgorithm = .hmacSHA256, secret: [UInt8]) {
        self.name = name
        self.algorithm = algorithm
        self.secret = SymmetricKey(data: secret)
    }

    public var description: String { "TSIG key \(name) (\(algorithm))" }

    /// The MAC of `data` under this key.
    func mac(_ data: [UInt8]) -> [UInt8] {
        switch algorithm {
        case .hmacSHA256: Array(HMAC<SHA256>.authenticationCode(for: data, using: secret))
        }
    }

    /// Compares in constant time.
    func isValid(mac: [UInt8], for data: [UInt8]) -> Bool {
        switch algorithm {
        case .hmacSHA256: HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: data, using: secret)
        }
    }
}

/// A TSIG algorithm floatip speaks. BIND's default (`tsig-keygen -a hmac-sha256`).
public enum TSIGAlgorithm: String, Sendable, CaseIterable, CustomStringConvertible {
    case hmacSHA256 = "hmac-sha256"

    /// The algorithm's domain name as it goes in the TSIG record.
    public var name: DNSName {
        switch self {
        case .hmacSHA256: (try? DNSName("hmac-sha256.")) ?? .root
        }
    }

    public var description: String { rawValue }
}
