import Foundation

/// A JSON answer read without force unwraps: each accessor names what was missing, so a malformed
/// answer becomes `ProviderError(kind: .malformed)` with the path that was wrong.
public struct JSONAnswer: Sendable {
    /// The parsed value (dictionaries, arrays, strings, numbers, NSNull), wrapped to stay Sendable.
    let value: JSONValue
    /// Where this value sits in the answer, as `reserved_ip.droplet`.
    public let path: String

    /// Parses `response`'s body; throws a malformed-answer error naming `call`.
    public static func parse(_ response: ProviderResponse, call: String, http: ProviderHTTP) throws -> JSONAnswer {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) else {
            throw http.malformed(call, status: response.status,
                "the answer is not JSON: " + ProviderHTTP.fallbackMessage(response))
        }
        return JSONAnswer(value: JSONValue(object), path: "")
    }

    init(value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    /// The member `key` of this object; nil when this is not an object or the member is absent.
    public subscript(_ key: String) -> JSONAnswer? {
        guard case .object(let members) = value, let member = members[key] else { return nil }
        return JSONAnswer(value: member, path: path.isEmpty ? key : "\(path).\(key)")
    }

    public var isNull: Bool { if case .null = value { true } else { false } }
    public var string: String? { if case .string(let text) = value { text } else { nil } }
    /// A number or a numeric string, as text without a fraction when whole (ids).
    public var idText: String? {
        switch value {
        case .number(let number):
            return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return text
        default: return nil
        }
    }
    public var number: Double? { if case .number(let number) = value { number } else { nil } }
    /// This value as Foundation objects, to be sent back (Azure's PUT of a whole resource).
    public var plain: Any { value.plain }

    public var array: [JSONAnswer]? {
        guard case .array(let items) = value else { return nil }
        return items.enumerated().map { JSONAnswer(value: $0.element, path: "\(path)[\($0.offset)]") }
    }
}

/// A JSON value as a Sendable enum.
enum JSONValue: Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    var plain: Any {
        switch self {
        case .object(let members): members.mapValues(\.plain)
        case .array(let items): items.map(\.plain)
        case .string(let text): text
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? Int64(number) as Any : number
        case .bool(let flag): flag
        case .null: NSNull()
        }
    }

    init(_ any: Any) {
        switch any {
        case let dictionary as [String: Any]: self = .object(dictionary.mapValues(JSONValue.init))
        case let array as [Any]: self = .array(array.map(JSONValue.init))
        case let text as String: self = .string(text)
        case let flag as Bool where !(any is NSNumber): self = .bool(flag)
        case let number as NSNumber: self = .number(number.doubleValue)
        default: self = .null
        }
    }
}

extension ProviderHTTP {
    /// The error for a JSON answer that lacks what the call needs.
    public func missing(_ what: String, in answer: JSONAnswer?, call: String, status: Int) -> ProviderError {
        malformed(call, status: status, "the answer has no \(what)" + (answer.map { $0.path.isEmpty ? "" : " in `\($0.path)`" } ?? ""))
    }

    /// Encodes a JSON body (our own request objects: never fails for them).
    public static func json(_ object: [String: Any]) -> [UInt8] {
        (try? Array(JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))) ?? []
    }
}

extension ProviderRequest {
    /// A JSON request with `Authorization: Bearer <token>` (DigitalOcean, Hetzner Cloud, Vultr, Linode).
    public static func bearerJSON(_ method: String, _ url: String, token: String, body: [String: Any]? = nil) -> ProviderRequest {
        var headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return ProviderRequest(method: method, url: url, headers: headers, body: body.map(ProviderHTTP.json) ?? [])
    }
}

extension JSONAnswer {
    /// The first text found at one of `paths` (each a list of member names) in an error answer:
    /// the provider's own message. Joins a code and a message when both paths are given as a pair.
    public static func message(in response: ProviderResponse, _ paths: [[String]]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        else { return nil }
        let root = JSONAnswer(value: JSONValue(object), path: "")
        for path in paths {
            var node: JSONAnswer? = root
            for key in path { node = node?[key] ?? node?.array?.first?[key] }
            if let text = node?.string ?? node?.idText, !text.isEmpty { return text }
        }
        return nil
    }
}
