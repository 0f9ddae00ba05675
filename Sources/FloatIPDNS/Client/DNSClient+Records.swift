import FloatIPCore

extension DNSClient {
    /// Replaces `name`'s A/AAAA records with `addresses` in one signed UPDATE (see
    /// `DNSUpdate.replaceAddresses`). Returns the server that applied it.
    @discardableResult
    public func replaceAddresses(
        zone: DNSName, name: DNSName, addresses: [IPAddress], ttl: UInt32
    ) async throws(DNSClientError) -> DNSServer {
        let update = DNSUpdate.replaceAddresses(id: 0, zone: zone, name: name, addresses: addresses, ttl: ttl)
        return try await exchange(update).server
    }

    /// What the authoritative server answers for `name`'s records of `types` (A, AAAA): the
    /// addresses in the order given, and the server that answered. NXDOMAIN and an empty answer
    /// both mean no address. All types are asked of the same server order.
    public func addresses(of name: DNSName, types: [DNSType]) async throws(DNSClientError) -> DNSAnswer {
        var found: [IPAddress] = []
        var ttl: UInt32?
        var answeredBy: DNSServer?
        for type in types {
            let query = DNSUpdate.query(id: 0, name: name, type: type)
            let (answer, server) = try await exchange(query, accepting: [.noError, .nxDomain])
            answeredBy = server
            for record in answer.answers where record.name == name && record.type == type {
                do {
                    if let address = try record.address() { found.append(address) }
                } catch {
                    throw DNSClientError(failures: [DNSServerFailure(server: server, reason: .malformed(error))])
                }
                ttl = min(ttl ?? record.ttl, record.ttl)
            }
        }
        return DNSAnswer(addresses: found, ttl: ttl, server: answeredBy)
    }
}

/// The addresses a server answered for a name.
public struct DNSAnswer: Sendable, Equatable {
    public var addresses: [IPAddress]
    /// The smallest TTL among them; nil when there are none.
    public var ttl: UInt32?
    /// The server that answered (nil when no type was asked).
    public var server: DNSServer?
}
