/// One DNS message: header, question (the zone section in an UPDATE), answer (prerequisites),
/// authority (updates) and additional sections. For an UPDATE the sections keep their RFC 1035
/// names; `DNSUpdate` builds them with their RFC 2136 meaning.
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    public var isResponse = false
    public var opcode = DNSOpcode.query
    public var authoritative = false
    public var truncated = false
    public var recursionDesired = false
    public var recursionAvailable = false
    /// The header's four-bit response code.
    public var rcode = DNSRcode.noError
    public var questions: [DNSQuestion] = []
    public var answers: [DNSRecord] = []
    public var authority: [DNSRecord] = []
    public var additional: [DNSRecord] = []

    public init(id: UInt16, opcode: DNSOpcode = .query) {
        self.id = id
        self.opcode = opcode
    }

    /// The message in wire form (names uncompressed).
    public func encoded() throws(DNSWireError) -> [UInt8] {
        var writer = DNSWriter()
        writer.write(id)
        writer.write(flags)
        for count in [questions.count, answers.count, authority.count, additional.count] {
            guard count <= Int(UInt16.max) else { throw .messageTooLarge(size: count) }
            writer.write(UInt16(count))
        }
        for question in questions {
            writer.write(question.name)
            writer.write(question.type.rawValue)
            writer.write(question.questionClass.rawValue)
        }
        for record in answers + authority + additional {
            guard record.data.count <= Int(UInt16.max) else { throw .messageTooLarge(size: record.data.count) }
            record.write(to: &writer)
        }
        guard writer.bytes.count <= Int(UInt16.max) else { throw .messageTooLarge(size: writer.bytes.count) }
        return writer.bytes
    }

    /// The header's second 16 bits.
    var flags: UInt16 {
        var flags = UInt16(opcode.rawValue) << 11 | (rcode.rawValue & 0x0F)
        if isResponse { flags |= 0x8000 }
        if authoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        return flags
    }
}

/// One entry of the question section (the zone section of an UPDATE).
public struct DNSQuestion: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSType
    public var questionClass: DNSClass

    public init(name: DNSName, type: DNSType, questionClass: DNSClass = .in) {
        self.name = name
        self.type = type
        self.questionClass = questionClass
    }
}
