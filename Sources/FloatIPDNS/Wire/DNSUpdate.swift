import FloatIPCore

/// RFC 2136 dynamic update messages.
public enum DNSUpdate {
    /// One UPDATE that makes `addresses` the whole content of `name`'s A (and/or AAAA) RRset, with
    /// no prerequisites: for each family present in `addresses` it deletes the RRset (class ANY,
    /// TTL 0, no data) and adds the new records (class IN) with `ttl`. A family absent from
    /// `addresses` is left alone, so a key whose policy grants only A can still update. The server
    /// applies the whole update atomically.
    public static func replaceAddresses(
        id: UInt16, zone: DNSName, name: DNSName, addresses: [IPAddress], ttl: UInt32
    ) -> DNSMessage {
        var message = DNSMessage(id: id, opcode: .update)
        message.questions = [DNSQuestion(name: zone, type: .soa, questionClass: .in)]
        for type in [DNSType.a, .aaaa] where addresses.contains(where: { DNSType.address($0) == type }) {
            message.authority.append(DNSRecord(name: name, type: type, recordClass: .any, ttl: 0, data: []))
        }
        for address in addresses {
            message.authority.append(DNSRecord(name: name, address: address, ttl: ttl))
        }
        return message
    }

    /// One UPDATE that deletes `name`'s A/AAAA RRsets of the families in `addresses`, only if they
    /// hold exactly `addresses` (RFC 2136 §2.4.2 "RRset exists, value dependent": prerequisite
    /// records of class IN, TTL 0). The server answers NXRRSET when they hold anything else.
    public static func deleteAddresses(id: UInt16, zone: DNSName, name: DNSName, ifHolding addresses: [IPAddress]) -> DNSMessage {
        var message = DNSMessage(id: id, opcode: .update)
        message.questions = [DNSQuestion(name: zone, type: .soa, questionClass: .in)]
        for address in addresses {
            message.answers.append(DNSRecord(name: name, address: address, ttl: 0))
        }
        for type in [DNSType.a, .aaaa] where addresses.contains(where: { DNSType.address($0) == type }) {
            message.authority.append(DNSRecord(name: name, type: type, recordClass: .any, ttl: 0, data: []))
        }
        return message
    }

    /// A query for `type` records of `name`, without recursion (asked of the authoritative server).
    public static func query(id: UInt16, name: DNSName, type: DNSType) -> DNSMessage {
        var message = DNSMessage(id: id)
        message.questions = [DNSQuestion(name: name, type: type)]
        return message
    }
}
