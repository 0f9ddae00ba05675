import Foundation

// The JSON shapes of etcd v3's gateway (grpc-gateway over the protobuf messages), as measured
// against etcd 3.4: int64 fields travel as JSON strings, fields with default values are left out
// (no `succeeded` means false, no `TTL` means 0), keys and values are base64. Requests use the
// protobuf field names; an unknown request field is silently ignored by etcd, so every request
// here is exercised by the tests against a real etcd.

/// A 64-bit integer as etcd sends it: a JSON string of digits (lease IDs exceed 2^53, member IDs
/// use the whole unsigned range, so never a Double). A JSON integer is accepted too; anything else
/// is a decoding error.
struct EtcdNumber<Value: FixedWidthInteger & Decodable & Sendable>: Decodable, Sendable, Equatable {
    let value: Value

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Value(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "`\(text.prefix(40))` is not a whole number that fits \(Value.self)")
            }
            self.value = value
        } else {
            value = try container.decode(Value.self)
        }
    }
}

/// int64 fields: revisions, lease IDs and TTLs.
typealias EtcdInt = EtcdNumber<Int64>
/// uint64 fields: member and cluster IDs.
typealias EtcdUInt = EtcdNumber<UInt64>

struct EtcdHeaderMessage: Decodable, Sendable {
    var revision: EtcdInt?
}

/// `{error, message, code}`: a unary call's error body.
struct EtcdErrorBody: Decodable, Sendable {
    var error: String?
    var message: String?
    var code: Int?
}

/// A streaming call's line: `{"result": …}` or `{"error": {grpc_code, http_code, message, http_status}}`.
struct EtcdStreamLine<Result: Decodable & Sendable>: Decodable, Sendable {
    struct StreamError: Decodable, Sendable {
        var grpc_code: Int?
        var http_code: Int?
        var message: String?
    }

    var result: Result?
    var error: StreamError?
}

struct LeaseGrantRequest: Encodable {
    var TTL: String
}

struct LeaseIDRequest: Encodable {
    var ID: String
}

struct LeaseTimeToLiveRequest: Encodable {
    var ID: String
    var keys = false
}

/// `lease/grant`, `lease/keepalive` (inside `result`) and `lease/timetolive` answers.
struct LeaseMessage: Decodable, Sendable {
    var header: EtcdHeaderMessage?
    var ID: EtcdInt?
    var TTL: EtcdInt?
    var grantedTTL: EtcdInt?
    var error: String?
}

struct KeyValueMessage: Decodable, Sendable {
    var key: String?
    var value: String?
    var create_revision: EtcdInt?
    var mod_revision: EtcdInt?
    var version: EtcdInt?
    var lease: EtcdInt?
}

struct RangeRequest: Encodable {
    var key: String
}

struct RangeMessage: Decodable, Sendable {
    var header: EtcdHeaderMessage?
    var kvs: [KeyValueMessage]?
    var count: EtcdInt?
}

struct PutRequest: Encodable {
    var key: String
    var value: String
    /// Omitted (nil) for a key without a lease.
    var lease: String?
}

struct DeleteRangeRequest: Encodable {
    var key: String
}

struct DeleteRangeMessage: Decodable, Sendable {
    var header: EtcdHeaderMessage?
    var deleted: EtcdInt?
}

/// One comparison of a transaction; only `create_revision` and `value` targets are used.
struct CompareMessage: Encodable {
    var target: String
    var key: String
    var result = "EQUAL"
    var create_revision: String?
    var value: String?
}

struct RequestOpMessage: Encodable {
    var request_range: RangeRequest?
    var request_put: PutRequest?
    var request_delete_range: DeleteRangeRequest?
}

struct TxnRequest: Encodable {
    var compare: [CompareMessage]
    var success: [RequestOpMessage]
    var failure: [RequestOpMessage]
}

struct ResponseOpMessage: Decodable, Sendable {
    var response_range: RangeMessage?
    var response_delete_range: DeleteRangeMessage?
}

struct TxnMessage: Decodable, Sendable {
    var header: EtcdHeaderMessage?
    var succeeded: Bool?
    var responses: [ResponseOpMessage]?
}

struct AuthenticateRequest: Encodable {
    var name: String
    var password: String
}

struct AuthenticateMessage: Decodable, Sendable {
    var token: String?
}

struct WatchCreateRequest: Encodable {
    struct Create: Encodable {
        var key: String
        var start_revision: String
    }

    var create_request: Create
}

struct WatchMessage: Decodable, Sendable {
    struct Event: Decodable, Sendable {
        /// Absent for PUT (the default), `DELETE` for a deletion.
        var type: String?
        var kv: KeyValueMessage?
    }

    var header: EtcdHeaderMessage?
    var created: Bool?
    var canceled: Bool?
    var cancel_reason: String?
    var compact_revision: EtcdInt?
    var events: [Event]?
}

struct StatusMessage: Decodable, Sendable {
    var header: EtcdHeaderMessage?
    var version: String?
    var leader: EtcdUInt?
}

/// `{}`: for calls whose answer carries nothing we use.
struct EmptyRequest: Encodable {}

/// Any answer whose content is not needed (only that it is a JSON object).
public struct EtcdIgnoredAnswer: Decodable, Sendable {}

enum EtcdBase64 {
    static func encode(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static func decode(_ text: String?) -> String? {
        guard let text else { return "" }  // an empty value is omitted
        return Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) }
    }
}
