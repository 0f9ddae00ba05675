import FloatIPCore
import Foundation

/// `mover: cloudflare`: points a DNS record in a Cloudflare zone at the holder's own address.
///
/// - holder: `GET /client/v4/zones/{zone}/dns_records?type=A&name=…` (and `AAAA`) → `result[].content`.
/// - claim: `PATCH /client/v4/zones/{zone}/dns_records/{id}` `{"content":…,"ttl":…}` for each family
///   whose record points elsewhere, or `POST /client/v4/zones/{zone}/dns_records` when the name has
///   no record of that type yet. Cloudflare applies a change at once: there is nothing to wait for.
/// - release: nothing (the next holder's PATCH replaces the content; a name never points nowhere).
///
/// Bearer API token (`token_file`/`token_env`) with Zone → DNS → Edit on the zone. Every answer is
/// the envelope `{"success":…,"errors":[{"code":…,"message":…}],"messages":[…],"result":…}`; errors
/// are reported with Cloudflare's codes and messages; 429 waits for `Retry-After`.
public struct CloudflareProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        /// The zone's id (32 hex digits, on the zone's Overview page).
        public var zoneID: String
        public var record: PublishedRecord
    }

    public static let kind = MoverKind.cloudflare
    public static let name = "Cloudflare"
    public static let defaultEndpoint = "https://api.cloudflare.com"
    public static let credentials: [(name: String, what: String)] = [("token", "API token with DNS edit")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        var zone = check.required("zone_id", "the zone id, 32 hex digits from the zone's Overview page")
        if let text = zone, text.isEmpty || text.count > 64 || !text.unicodeScalars.allSatisfy(\.isHexDigitOrLetter) {
            check.report("zone_id", "`\(text)` is not a zone id (32 hex digits from the zone's Overview page)")
            zone = nil
        }
        // 1 is Cloudflare's "automatic"; 30 only on Enterprise zones, 60 elsewhere.
        let record = check.publishedRecord(ttlRange: 30...86_400, ttlExtra: [1])
        guard let zone, let record else { return nil }
        return Settings(zoneID: zone, record: record)
    }

    /// `code 10000: Authentication error` for each entry of the envelope's `errors`.
    public static func errorMessage(_ response: ProviderResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        else { return nil }
        return errors(in: JSONAnswer(value: JSONValue(object), path: ""))
    }

    /// The envelope's `errors` as `code N: message; …`; nil when there are none.
    static func errors(in envelope: JSONAnswer) -> String? {
        let entries = envelope["errors"]?.array ?? []
        let texts = entries.compactMap { entry -> String? in
            let message = entry["message"]?.string
            let code = entry["code"]?.idText
            switch (code, message) {
            case (let code?, let message?): return "code \(code): \(message)"
            case (nil, let message?): return message
            case (let code?, nil): return "code \(code)"
            default: return nil
            }
        }
        return texts.isEmpty ? nil : texts.joined(separator: "; ")
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.record.target }
    public var address: String { settings.record.name }

    private var records: String { "\(context.endpoint)/client/v4/zones/\(settings.zoneID)/dns_records" }

    /// One record of the name, as Cloudflare lists it.
    struct Record: Equatable {
        var id: String
        var content: String
    }

    /// The holder is the records' content; the fence carries their ids for the claim's PATCH
    /// (`A=id AAAA=id`; `A=*` when the name has several A records), so a claim makes no second lookup.
    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        var contents: [[String]] = []
        var ids: [String] = []
        for type in settings.record.types {
            let found = try await lookUp(type, deadline: deadline)
            contents.append(found.map(\.content))
            if found.count == 1, let only = found.first { ids.append("\(type)=\(only.id)") }
            if found.count > 1 { ids.append("\(type)=*") }
        }
        return ProviderState(holder: PublishedRecord.holder(contents), fence: ids.joined(separator: " "))
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        let record = settings.record
        var ids: [String: String] = [:]
        for pair in (state.fence ?? "").split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { ids[parts[0]] = parts[1] }
        }
        let contents = (state.holder ?? "").components(separatedBy: ", ")
        for (index, address) in record.addresses.enumerated() {
            let type = PublishedRecord.type(address)
            let content: [String: Any] = ["content": "\(address)", "ttl": record.ttl]
            switch ids[type] {
            case "*":
                throw ProviderError(
                    provider: Self.name, call: "GET /client/v4/zones/\(settings.zoneID)/dns_records",
                    message: "\(record.name) has several \(type) records (\(contents[safe: index] ?? "?")); floatip points "
                        + "exactly one at the holder: delete the others", kind: .rejected)
            case let id?:
                // Only the families that point elsewhere are written.
                if contents[safe: index] == "\(address)" { continue }
                _ = try await send("PATCH", "\(records)/\(id)", body: content, deadline: deadline)
            case nil:
                let created = content.merging(["type": type, "name": record.name, "proxied": false]) { $1 }
                _ = try await send("POST", records, body: created, deadline: deadline)
            }
        }
    }

    /// Whether the envelope's `success` is true. Foundation on Linux reads JSON booleans as
    /// NSNumber, so `true` arrives as the number 1.
    static func isTrue(_ value: JSONAnswer?) -> Bool {
        switch value?.value {
        case .bool(true)?: true
        case .number(1)?: true
        default: false
        }
    }

    /// No detach: the record keeps this node's address until the next holder's PATCH replaces it.
    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool { false }

    /// The name's records of `type` (`GET …/dns_records?type=A&name=…`: an exact match on the name).
    func lookUp(_ type: String, deadline: ContinuousClock.Instant) async throws -> [Record] {
        let name = settings.record.name
        let url = "\(records)?type=\(type)&name=\(SigV4.encode(name))"
        let reply = try await send("GET", url, deadline: deadline)
        guard let result = reply.answer["result"]?.array else {
            throw context.http.missing("`result` list", in: reply.answer, call: reply.call, status: reply.status)
        }
        return try result.compactMap { item in
            guard let id = item["id"]?.string, let content = item["content"]?.string, let listed = item["name"]?.string else {
                throw context.http.missing("`id`, `name` and `content`", in: item, call: reply.call, status: reply.status)
            }
            // The filter is exact; this guards against an answer for another name or type.
            guard PublishedRecord.normalised(listed) == name, item["type"]?.string ?? type == type else { return nil }
            return Record(id: id, content: content)
        }
    }

    /// One call with the token as it is now; its envelope must say `"success": true`.
    private func send(
        _ method: String, _ url: String, body: [String: Any]? = nil, deadline: ContinuousClock.Instant
    ) async throws -> JSONReply {
        let request = try context.bearer(method, url, body: body)
        let reply = try await context.sendJSON(request, deadline: deadline)
        guard Self.isTrue(reply.answer["success"]) else {
            let said = Self.errors(in: reply.answer) ?? "no errors listed"
            throw ProviderError(
                provider: Self.name, call: reply.call, status: reply.status,
                message: context.http.scrub("the answer does not say `\"success\": true` (\(said))"), kind: .malformed)
        }
        return reply
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension Unicode.Scalar {
    /// An ASCII letter or digit (Cloudflare ids are hex; letters are let through and Cloudflare judges).
    fileprivate var isHexDigitOrLetter: Bool {
        ("0"..."9").contains(self) || ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }
}
