/// Leases: grant, keep alive, look up, revoke.
extension EtcdClient {
    /// Grants a lease of `ttl` seconds.
    public func grantLease(ttl: Int64, timeout: Duration? = nil) async throws -> EtcdLease {
        let answer = try await call("lease/grant", LeaseGrantRequest(TTL: String(ttl)), as: LeaseMessage.self,
                                    timeout: timeout)
        let endpoint = currentEndpoint
        if let error = answer.error, !error.isEmpty {
            throw EtcdError.refused(endpoint: endpoint, call: "lease/grant", status: 200, message: error, code: nil)
        }
        guard let id = answer.ID?.value, id != 0 else {
            throw EtcdError.malformed(endpoint: endpoint, call: "lease/grant", detail: "no lease `ID` in the answer")
        }
        guard let granted = answer.TTL?.value, granted > 0 else {
            throw EtcdError.malformed(endpoint: endpoint, call: "lease/grant", detail: "no `TTL` in the answer")
        }
        return EtcdLease(id: id, ttl: granted)
    }

    /// Renews a lease once: the TTL etcd restarted it with, or nil when the lease is gone (etcd
    /// answers without a TTL then).
    public func keepAlive(lease: Int64, timeout: Duration? = nil) async throws -> Int64? {
        let line = try await call(
            "lease/keepalive", LeaseIDRequest(ID: String(lease)), as: EtcdStreamLine<LeaseMessage>.self,
            timeout: timeout)
        let endpoint = currentEndpoint
        if let error = line.error {
            throw EtcdError.refused(
                endpoint: endpoint, call: "lease/keepalive", status: error.http_code ?? 200,
                message: error.message ?? "", code: error.grpc_code)
        }
        guard let result = line.result else {
            throw EtcdError.malformed(endpoint: endpoint, call: "lease/keepalive", detail: "no `result` in the answer")
        }
        guard let ttl = result.TTL?.value, ttl > 0 else { return nil }
        return ttl
    }

    /// The lease's remaining TTL in seconds, or nil when it does not exist (etcd says `TTL: -1`).
    public func timeToLive(lease: Int64, timeout: Duration? = nil) async throws -> Int64? {
        let answer = try await call(
            "lease/timetolive", LeaseTimeToLiveRequest(ID: String(lease)), as: LeaseMessage.self, timeout: timeout)
        guard let ttl = answer.TTL?.value, ttl >= 0 else { return nil }
        return ttl
    }

    /// Revokes a lease, deleting the keys attached to it. A lease that is already gone is not an error.
    public func revoke(lease: Int64, timeout: Duration? = nil) async throws {
        do {
            _ = try await call("lease/revoke", LeaseIDRequest(ID: String(lease)), as: EtcdIgnoredAnswer.self,
                               timeout: timeout)
        } catch EtcdError.refused(_, _, _, let message, _) where message.contains("lease not found") {
            return
        }
    }
}
