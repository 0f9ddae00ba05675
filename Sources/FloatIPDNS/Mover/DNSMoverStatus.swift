import FloatIPCore

/// What the `dns` mover last saw: the record as the authoritative server answers it, and how long
/// the last claim took from its start to the server answering with the new address.
public struct DNSMoverStatus: Sendable, Equatable, CustomStringConvertible {
    public var name: DNSName
    /// The addresses the server answered, with their TTL; nil before the first answer.
    public var answer: DNSAnswer?
    /// From the start of the last claim to the first answer holding this node's address.
    public var claimToAnswer: Duration?

    public var description: String {
        var text = "\(name) "
        if let answer {
            text += answer.addresses.isEmpty
                ? "has no address"
                : answer.addresses.map(\.description).joined(separator: ", ") + " (TTL \(answer.ttl ?? 0) s)"
            if let server = answer.server { text += " at \(server)" }
        } else {
            text += "not asked yet"
        }
        if let claimToAnswer {
            text += "; last claim answered after \(claimToAnswer.shortDescription)"
        }
        return text
    }
}
