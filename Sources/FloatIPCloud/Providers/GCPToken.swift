import Crypto
import Foundation
import _CryptoExtras

/// A Google service-account key (`key_file`/`key_env`, the JSON the console downloads), and the
/// JWT it signs with RS256 (`_RSA.Signing` from swift-crypto, PKCS #1 v1.5 over SHA-256) to be
/// exchanged at its `token_uri` (or `token_endpoint`) with the `jwt-bearer` grant.
enum GCPToken {
    /// The scope asked for: Compute Engine read and write, nothing else.
    static let scope = "https://www.googleapis.com/auth/compute"
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// A service-account key as the key file holds it (the fields a JWT needs).
    struct ServiceAccountKey: Sendable {
        var clientEmail: String
        var privateKeyID: String?
        var privateKey: _RSA.Signing.PrivateKey
        var tokenURI: String

        /// Reads the key file's JSON; a problem names `option` and the field, never the key.
        static func parse(_ text: String, option: String) throws(CredentialProblem) -> ServiceAccountKey {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw CredentialProblem(key: option, message: "the key is not a service-account key: not a JSON object")
            }
            if let type = object["type"] as? String, type != "service_account" {
                throw CredentialProblem(key: option, message: "the key is a `\(type)` credential; a service-account key (`service_account`) is needed")
            }
            guard let email = object["client_email"] as? String, !email.isEmpty else {
                throw CredentialProblem(key: option, message: "the key is not a service-account key: no `client_email`")
            }
            guard let pem = object["private_key"] as? String else {
                throw CredentialProblem(key: option, message: "the key is not a service-account key: no `private_key`")
            }
            guard let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) else {
                throw CredentialProblem(key: option, message: "`private_key` is not an RSA private key in PEM")
            }
            return ServiceAccountKey(
                clientEmail: email, privateKeyID: object["private_key_id"] as? String, privateKey: key,
                tokenURI: (object["token_uri"] as? String) ?? GCPToken.defaultTokenURI)
        }

        /// The signed JWT asking for `scope`, valid for an hour from `now`.
        func assertion(now: Date, scope: String) throws -> String {
            var header: [String: Any] = ["alg": "RS256", "typ": "JWT"]
            if let privateKeyID { header["kid"] = privateKeyID }
            let issued = Int(now.timeIntervalSince1970)
            let claims: [String: Any] = [
                "iss": clientEmail, "scope": scope, "aud": tokenURI, "iat": issued, "exp": issued + 3600,
            ]
            let input = GCPToken.base64URL(ProviderHTTP.json(header)) + "." + GCPToken.base64URL(ProviderHTTP.json(claims))
            let signature = try privateKey.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
            return input + "." + GCPToken.base64URL(Array(signature.rawRepresentation))
        }
    }

    /// Base64url without padding (RFC 7515).
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
