/// A message read off the wire, with what TSIG verification needs: the offset where the TSIG
/// record starts (it must be the last record) so the MAC can be computed over the bytes before it.
public struct ParsedDNSMessage: Sendable {
    public var message: DNSMessage
    /// The bytes as received.
    public var bytes: [UInt8]
    /// Where the TSIG record starts in `bytes`, when the message carries one.
    public var tsigOffset: Int?
}

extension DNSMessage {
    /// Parses a whole message. Malformed, truncated or oversized input throws a `DNSWireError`
    /// naming the field; it never traps. Counts in the header are checked against the bytes
    /// actually present before anything is allocated for them.
    public static func parse(_ bytes: [UInt8]) throws(DNSWireError) -> ParsedDNSMessage {
        var reader = DNSReader(bytes)
        var message = DNSMessage(id: try reader.readUInt16("header id"))
        let flags = try reader.readUInt16("header flags")
        message.isResponse = flags & 0x8000 != 0
        message.opcode = DNSOpcode(rawValue: UInt8(truncatingIfNeeded: flags >> 11))
        message.authoritative = flags & 0x0400 != 0
        message.truncated = flags & 0x0200 != 0
        message.recursionDesired = flags & 0x0100 != 0
        message.recursionAvailable = flags & 0x0080 != 0
        message.rcode = DNSRcode(rawValue: flags & 0x0F)
        let questionCount = Int(try reader.readUInt16("header question count"))
        let answerCount = Int(try reader.readUInt16("header answer count"))
        let authorityCount = Int(try reader.readUInt16("header authority count"))
        let additionalCount = Int(try reader.readUInt16("header additional count"))
        // A question takes at least 5 bytes, a record at least 11: more than fit is a lie.
        let least = questionCount * 5 + (answerCount + authorityCount + additionalCount) * 11
        guard least <= reader.remaining else { throw .truncated(field: "sections (header counts exceed the message)") }
        for _ in 0..<questionCount {
            let name = try reader.readName("question name")
            let type = DNSType(rawValue: try reader.readUInt16("question type"))
            let questionClass = DNSClass(rawValue: try reader.readUInt16("question class"))
            message.questions.append(DNSQuestion(name: name, type: type, questionClass: questionClass))
        }
        for _ in 0..<answerCount { message.answers.append(try .read(from: &reader, section: "answer")) }
        for _ in 0..<authorityCount { message.authority.append(try .read(from: &reader, section: "authority")) }
        var tsigOffset: Int?
        for index in 0..<additionalCount {
            let start = reader.position
            let record = try DNSRecord.read(from: &reader, section: "additional")
            if record.type == .tsig {
                guard index == additionalCount - 1 else {
                    throw .badRecordData(type: "TSIG", reason: "not the last record of the message")
                }
                tsigOffset = start
            }
            message.additional.append(record)
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return ParsedDNSMessage(message: message, bytes: bytes, tsigOffset: tsigOffset)
    }
}
