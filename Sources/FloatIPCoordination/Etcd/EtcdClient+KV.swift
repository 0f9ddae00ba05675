/// Keys: read, create if absent (with a lease), delete if unchanged.
extension EtcdClient {
    /// The key's current value, or nil when it does not exist.
    public func get(_ key: String, timeout: Duration? = nil) async throws -> EtcdKeyValue? {
        let answer = try await call("kv/range", RangeRequest(key: EtcdBase64.encode(key)), as: RangeMessage.self,
                                    timeout: timeout)
        return try firstKeyValue(answer.kvs, call: "kv/range")
    }

    /// Puts `value` at `key` unconditionally (attached to `lease` when given); the revision of the write.
    @discardableResult
    public func put(_ key: String, value: String, lease: Int64? = nil, timeout: Duration? = nil) async throws -> Int64 {
        let request = PutRequest(key: EtcdBase64.encode(key), value: EtcdBase64.encode(value), lease: lease.map(String.init))
        let answer = try await call("kv/put", request, as: DeleteRangeMessage.self, timeout: timeout)
        return answer.header?.revision?.value ?? 0
    }

    /// Deletes `key` unconditionally; how many keys were deleted (0 or 1).
    @discardableResult
    public func delete(_ key: String, timeout: Duration? = nil) async throws -> Int64 {
        let answer = try await call("kv/deleterange", DeleteRangeRequest(key: EtcdBase64.encode(key)),
                                    as: DeleteRangeMessage.self, timeout: timeout)
        return answer.deleted?.value ?? 0
    }

    /// One transaction: if `key` does not exist (create revision 0), put `value` under `lease` and read
    /// it back; otherwise only read it.
    public func createIfAbsent(_ key: String, value: String, lease: Int64, timeout: Duration? = nil) async throws
        -> EtcdCreateOutcome
    {
        let encodedKey = EtcdBase64.encode(key)
        let read = RequestOpMessage(request_range: RangeRequest(key: encodedKey))
        let put = RequestOpMessage(
            request_put: PutRequest(key: encodedKey, value: EtcdBase64.encode(value), lease: String(lease)))
        let request = TxnRequest(
            compare: [CompareMessage(target: "CREATE", key: encodedKey, create_revision: "0")],
            success: [put, read], failure: [read])
        let answer = try await call("kv/txn", request, as: TxnMessage.self, timeout: timeout)
        let ranges = (answer.responses ?? []).compactMap(\.response_range)
        let found = try firstKeyValue(ranges.last?.kvs, call: "kv/txn")
        if answer.succeeded == true {
            guard let found, found.lease == lease else {
                throw EtcdError.malformed(
                    endpoint: currentEndpoint, call: "kv/txn",
                    detail: "the transaction succeeded but the key read back is \(found == nil ? "absent" : "not ours")")
            }
            return .created(found)
        }
        return .exists(found)
    }

    /// Deletes `key` only if its create revision is still `createRevision` (so never a key that
    /// someone else created since). Whether it was deleted.
    public func delete(_ key: String, ifCreatedAt createRevision: Int64, timeout: Duration? = nil) async throws -> Bool {
        let encodedKey = EtcdBase64.encode(key)
        let request = TxnRequest(
            compare: [CompareMessage(target: "CREATE", key: encodedKey, create_revision: String(createRevision))],
            success: [RequestOpMessage(request_delete_range: DeleteRangeRequest(key: encodedKey))], failure: [])
        let answer = try await call("kv/txn", request, as: TxnMessage.self, timeout: timeout)
        return answer.succeeded == true
    }

    /// `maintenance/status` of the member the call reaches.
    public func status(timeout: Duration? = nil) async throws -> EtcdStatus {
        let answer = try await call("maintenance/status", EmptyRequest(), as: StatusMessage.self, timeout: timeout)
        guard let version = answer.version else {
            throw EtcdError.malformed(endpoint: currentEndpoint, call: "maintenance/status", detail: "no `version`")
        }
        return EtcdStatus(
            version: version, leader: answer.leader?.value ?? 0, revision: answer.header?.revision?.value ?? 0)
    }

    /// The first of `kvs`, decoded; nil when there is none. A key without its revisions is malformed.
    func firstKeyValue(_ kvs: [KeyValueMessage]?, call: String) throws(EtcdError) -> EtcdKeyValue? {
        guard let first = kvs?.first else { return nil }
        return try Self.keyValue(first, endpoint: currentEndpoint, call: call)
    }

    static func keyValue(_ message: KeyValueMessage, endpoint: String, call: String) throws(EtcdError) -> EtcdKeyValue {
        guard let key = EtcdBase64.decode(message.key), let value = EtcdBase64.decode(message.value) else {
            throw .malformed(endpoint: endpoint, call: call, detail: "a key or value is not base64")
        }
        guard let created = message.create_revision?.value, created > 0 else {
            throw .malformed(endpoint: endpoint, call: call, detail: "key `\(key)` has no `create_revision`")
        }
        return EtcdKeyValue(
            key: key, value: value, createRevision: created, modRevision: message.mod_revision?.value ?? created,
            lease: message.lease?.value ?? 0)
    }
}
