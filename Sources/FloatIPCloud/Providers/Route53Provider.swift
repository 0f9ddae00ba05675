import FloatIPCore
import Foundation

/// `mover: route53`: points a name in a Route 53 hosted zone at the holder's own address.
///
/// - holder: `GET /2013-04-01/hostedzone/{zone}/rrset?name=…` (ListResourceRecordSets from the
///   name on) → the values of the name's `A` (and/or `AAAA`) record sets.
/// - claim: `POST /2013-04-01/hostedzone/{zone}/rrset/` (ChangeResourceRecordSets) with one `UPSERT`
///   per published family in one batch (atomic), then `GET /2013-04-01/change/{id}` every
///   `poll_interval` until `INSYNC`, within `claim_timeout`.
/// - release: nothing (the next holder's UPSERT replaces the record; a name never points nowhere).
///
/// REST-XML signed with SigV4 (service `route53`, region `us-east-1`: Route 53 is global).
/// `PriorRequestNotComplete` (a change on the zone still in flight) and `Throttling` are retried.
public struct Route53Provider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        /// The hosted zone id without `/hostedzone/` (`Z0123456789ABCDEFGHIJ`).
        public var zoneID: String
        public var accessKeyID: String
        public var record: PublishedRecord

        public init(zoneID: String, accessKeyID: String, record: PublishedRecord) {
            self.zoneID = zoneID
            self.accessKeyID = accessKeyID
            self.record = record
        }
    }

    public static let kind = MoverKind.route53
    public static let name = "Route 53"
    public static let defaultEndpoint = "https://route53.amazonaws.com"
    /// Route 53 reports a change INSYNC once every authoritative server has it: usually within 60 s.
    public static let defaultClaimTimeout = Duration.seconds(120)
    public static let defaultPollInterval = Duration.seconds(2)
    public static let credentials: [(name: String, what: String)] = [("secret_key", "AWS secret access key")]
    /// The API version in every path.
    static let version = "2013-04-01"
    static let namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        var zone = check.required("zone_id", "the hosted zone id, e.g. `Z0123456789ABCDEFGHIJ`")
        if let text = zone {
            let bare = text.hasPrefix("/hostedzone/") ? String(text.dropFirst("/hostedzone/".count)) : text
            let valid = !bare.isEmpty && bare.count <= 32 && bare.unicodeScalars.allSatisfy {
                ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            }
            if !valid { check.report("zone_id", "`\(text)` is not a hosted zone id (capital letters and digits, e.g. `Z0123456789ABCDEFGHIJ`)") }
            zone = valid ? bare : nil
        }
        let accessKeyID = check.required("access_key_id", "the access key id, e.g. `AKIA…`")
        let record = check.publishedRecord(ttlRange: 0...2_147_483_647)
        guard let zone, let accessKeyID, let record else { return nil }
        return Settings(zoneID: zone, accessKeyID: accessKeyID, record: record)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? { AWSQuery.errorMessage(response) }

    /// `PriorRequestNotComplete` and `Throttling` come with HTTP 400: both mean "try again shortly".
    public static func isThrottled(_ response: ProviderResponse) -> Bool {
        guard let message = errorMessage(response) else { return false }
        return message.hasPrefix("PriorRequestNotComplete") || message.hasPrefix("Throttling")
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.record.target }
    public var address: String { settings.record.name }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let path = "/\(Self.version)/hostedzone/\(settings.zoneID)/rrset"
        // From the name on, sorted by name then type: the name's A and AAAA sets come first.
        let answer = try await call(
            "GET", path, query: [("name", settings.record.name), ("maxitems", "20")], label: "ListResourceRecordSets",
            deadline: deadline)
        guard let sets = answer.first("ResourceRecordSets") else {
            throw context.http.malformed("GET \(path)", status: 200, "the answer has no ResourceRecordSets")
        }
        let ours = sets.children("ResourceRecordSet").filter {
            PublishedRecord.normalised(Self.unescaped($0.value("Name") ?? "")) == settings.record.name
        }
        let contents = settings.record.types.map { type in
            ours.filter { $0.value("Type") == type }.flatMap { set in
                set.child("ResourceRecords")?.children("ResourceRecord").compactMap { $0.value("Value") } ?? []
            }
        }
        return ProviderState(holder: PublishedRecord.holder(contents))
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        let path = "/\(Self.version)/hostedzone/\(settings.zoneID)/rrset/"
        let answer = try await call("POST", path, body: Array(changeBatch().utf8), label: "ChangeResourceRecordSets", deadline: deadline)
        guard var status = answer.first("ChangeInfo")?.value("Status"), let id = answer.first("ChangeInfo")?.value("Id") else {
            throw context.http.malformed("POST \(path)", status: 200, "the answer has no ChangeInfo with Id and Status")
        }
        let change = id.hasPrefix("/change/") ? String(id.dropFirst("/change/".count)) : id
        while status != "INSYNC" {
            guard status == "PENDING" else {
                throw context.http.malformed("GET /\(Self.version)/change/\(change)", status: 200, "unknown change status `\(status)`")
            }
            guard ContinuousClock.now + context.pollInterval < deadline else {
                throw ProviderError(
                    provider: Self.name, call: "GET /\(Self.version)/change/\(change)",
                    message: "the change was still PENDING when the deadline came", kind: .deadline)
            }
            try await Task.sleep(for: context.pollInterval)
            let polled = try await call("GET", "/\(Self.version)/change/\(change)", label: "GetChange", deadline: deadline)
            guard let next = polled.first("ChangeInfo")?.value("Status") else {
                throw context.http.malformed("GET /\(Self.version)/change/\(change)", status: 200, "the answer has no ChangeInfo Status")
            }
            status = next
        }
    }

    /// No detach: the record keeps this node's address until the next holder's UPSERT replaces it.
    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool { false }

    /// The `ChangeResourceRecordSetsRequest`: one UPSERT per published family.
    func changeBatch() -> String {
        let record = settings.record
        let changes = record.addresses.map { address in
            "<Change><Action>UPSERT</Action><ResourceRecordSet><Name>\(record.name)</Name>"
                + "<Type>\(PublishedRecord.type(address))</Type><TTL>\(record.ttl)</TTL><ResourceRecords>"
                + "<ResourceRecord><Value>\(address)</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>"
        }.joined()
        return #"<?xml version="1.0" encoding="UTF-8"?>"#
            + #"<ChangeResourceRecordSetsRequest xmlns="\#(Self.namespace)"><ChangeBatch>"#
            + "<Comment>floatip: \(record.name) to \(record.target)</Comment><Changes>\(changes)</Changes>"
            + "</ChangeBatch></ChangeResourceRecordSetsRequest>"
    }

    /// One signed call (the secret key as it is now), its XML answer parsed.
    private func call(
        _ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8] = [], label: String,
        deadline: ContinuousClock.Instant
    ) async throws -> XMLAnswer {
        let signer = SigV4(
            accessKeyID: settings.accessKeyID, secretKey: try context.secret("secret_key"), region: "us-east-1",
            service: "route53")
        let queryText = query.map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&")
        let url = context.endpoint + path + (queryText.isEmpty ? "" : "?" + queryText)
        let host = AWSQuery.hostHeader(url)
        let response = try await context.http.send(deadline: deadline) {
            var headers = [("Host", host)]
            if !body.isEmpty { headers.append(("Content-Type", "application/xml")) }
            let signed = signer.sign(method: method, path: path, query: query, headers: headers, body: body, date: Date())
            return ProviderRequest(method: method, url: url, headers: signed, body: body, label: label)
        }
        do {
            return try XMLAnswer.parse(response.body)
        } catch {
            throw context.http.malformed("\(method) \(path) \(label)", status: response.status, "\(error)")
        }
    }

    /// Route 53 writes characters other than letters, digits, `-`, `_` and `.` in names as `\NNN`
    /// (octal): `\052` for `*`.
    public static func unescaped(_ name: String) -> String {
        var result = ""
        var rest = Substring(name)
        while let slash = rest.firstIndex(of: "\\") {
            result += rest[..<slash]
            let digits = rest[rest.index(after: slash)...].prefix(3)
            if digits.count == 3, let code = UInt8(digits, radix: 8) {
                result.append(Character(UnicodeScalar(code)))
                rest = rest[rest.index(slash, offsetBy: 4)...]
            } else {
                result.append("\\")
                rest = rest[rest.index(after: slash)...]
            }
        }
        return result + rest
    }
}
