import Crypto
import Foundation

/// AWS Signature Version 4 (the `Authorization: AWS4-HMAC-SHA256 …` header), for any service:
/// EC2 here, Route 53 and others later. Written from AWS's "Create a signed AWS API request".
public struct SigV4: Sendable {
    public var accessKeyID: String
    public var secretKey: String
    /// A temporary credential's session token, sent as `X-Amz-Security-Token` and signed.
    public var sessionToken: String?
    public var region: String
    public var service: String

    public init(accessKeyID: String, secretKey: String, sessionToken: String? = nil, region: String, service: String) {
        self.accessKeyID = accessKeyID
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// The request's headers with the signature added: `headers` (which must include `Host`)
    /// plus `X-Amz-Date` (from `date`, unless given), `X-Amz-Security-Token` (with a session
    /// token) and `Authorization`. Every header passed in is signed.
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], body: [UInt8],
        date: Date
    ) -> [(String, String)] {
        var all = headers
        if !all.contains(where: { $0.0.lowercased() == "x-amz-date" }) { all.append(("X-Amz-Date", Self.amzDate(date))) }
        if let sessionToken { all.append(("X-Amz-Security-Token", sessionToken)) }
        let parts = signature(method: method, path: path, query: query, headers: all, body: body)
        all.append((
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(parts.scope), SignedHeaders=\(parts.signedHeaders), "
                + "Signature=\(parts.signature)"
        ))
        return all
    }

    /// The signature of a request whose headers already hold `X-Amz-Date`, with the credential
    /// scope and the signed-header list that go beside it in `Authorization`.
    public func signature(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], body: [UInt8]
    ) -> (signature: String, scope: String, signedHeaders: String) {
        var canonicalHeaders: [(String, String)] = headers.map { name, value in
            let words = value.trimmingCharacters(in: .whitespaces).split(separator: " ")
            return (name.lowercased(), words.joined(separator: " "))
        }
        canonicalHeaders.sort { $0.0 < $1.0 }
        let signedHeaders = canonicalHeaders.map(\.0).joined(separator: ";")
        let amzDate = canonicalHeaders.first { $0.0 == "x-amz-date" }?.1 ?? ""
        let day = String(amzDate.prefix(8))
        var encodedQuery: [(String, String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
        encodedQuery.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        let canonicalQuery = encodedQuery.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let segments: [String] = path.split(separator: "/", omittingEmptySubsequences: false).map { Self.encode(String($0)) }
        let canonicalPath = path.isEmpty ? "/" : segments.joined(separator: "/")
        let headerBlock: String = canonicalHeaders.map { "\($0.0):\($0.1)\n" }.joined()
        let payloadHash: String = Self.hex(SHA256.hash(data: body))
        let canonical = [method, canonicalPath, canonicalQuery, headerBlock, signedHeaders, payloadHash]
            .joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Array(canonical.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        return (signature, scope, signedHeaders)
    }

    /// `20250102T030405Z`: the form of `X-Amz-Date`.
    public static func amzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 wants it.
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
