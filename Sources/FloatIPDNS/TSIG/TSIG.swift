/// TSIG (RFC 8945): signs a request and verifies the server's signed answer to it.
///
/// The MAC covers the message without its TSIG record (ARCOUNT one less, the original id), then
/// the "TSIG variables": key name, class ANY, TTL 0, algorithm name, time signed, fudge, error,
/// other length and other data. An answer's MAC is computed the same way, preceded by the
/// request's MAC (length and bytes).
public enum TSIG {
    /// Seconds of clock difference either way a signature stays valid (BIND and RFC 8945 use 300).
    public static let fudge: UInt16 = 300

    /// The TSIG record's data, parsed.
    public struct Record: Sendable, Equatable {
        public var algorithm: DNSName
        public var timeSigned: UInt64
        public var fudge: UInt16
        public var mac: [UInt8]
        public var originalID: UInt16
        public var error: DNSRcode
        public var otherData: [UInt8]

        func write(to writer: inout DNSWriter) {
            writer.write(algorithm)
            writer.writeUInt48(timeSigned)
            writer.write(fudge)
            writer.write(UInt16(truncatingIfNeeded: mac.count))
            writer.write(mac)
            writer.write(originalID)
            writer.write(error.rawValue)
            writer.write(UInt16(truncatingIfNeeded: otherData.count))
            writer.write(otherData)
        }

        /// Parses TSIG record data; the algorithm name must not be compressed (RFC 8945 §4.2).
        static func parse(_ data: [UInt8]) throws(DNSWireError) -> Record {
            var reader = DNSReader(data)
            let algorithm = try reader.readName("TSIG algorithm")
            let timeSigned = try reader.readUInt48("TSIG time signed")
            let fudge = try reader.readUInt16("TSIG fudge")
            let macSize = try reader.readUInt16("TSIG MAC size")
            let mac = try reader.readBytes(Int(macSize), "TSIG MAC")
            let originalID = try reader.readUInt16("TSIG original id")
            let error = DNSRcode(rawValue: try reader.readUInt16("TSIG error"))
            let otherLength = try reader.readUInt16("TSIG other length")
            let otherData = try reader.readBytes(Int(otherLength), "TSIG other data")
            guard reader.remaining == 0 else { throw .badRecordData(type: "TSIG", reason: "\(reader.remaining) bytes left over") }
            return Record(algorithm: algorithm, timeSigned: timeSigned, fudge: fudge, mac: mac, originalID: originalID,
                          error: error, otherData: otherData)
        }
    }

    /// Signs `message`: returns its wire form with a TSIG record appended, and the MAC (needed to
    /// verify the answer). `now` is Unix seconds.
    public static func sign(
        _ message: DNSMessage, key: TSIGKey, now: UInt64
    ) throws(DNSWireError) -> (bytes: [UInt8], mac: [UInt8]) {
        let unsigned = try message.encoded()
        var record = Record(algorithm: key.algorithm.name, timeSigned: now, fudge: fudge, mac: [],
                            originalID: message.id, error: .noError, otherData: [])
        var digest = unsigned
        digest += variables(record, key: key)
        record.mac = key.mac(digest)
        return (try attach(record, to: message, key: key), record.mac)
    }

    /// Signs an answer to a request whose MAC was `requestMAC`, as a server does (RFC 8945 §5.3):
    /// the digest starts with the request's MAC. `error` other than NOERROR makes an unsigned
    /// error answer (empty MAC), as a server answers a request it could not verify.
    public static func signAnswer(
        _ message: DNSMessage, requestMAC: [UInt8], key: TSIGKey, now: UInt64, error: DNSRcode = .noError
    ) throws(DNSWireError) -> [UInt8] {
        var record = Record(algorithm: key.algorithm.name, timeSigned: now, fudge: fudge, mac: [],
                            originalID: message.id, error: error, otherData: [])
        if error == .noError || error == .badTime {
            var digest = [UInt8(requestMAC.count >> 8), UInt8(truncatingIfNeeded: requestMAC.count)] + requestMAC
            digest += try message.encoded()
            digest += variables(record, key: key)
            record.mac = key.mac(digest)
        }
        return try attach(record, to: message, key: key)
    }

    /// `message` with the TSIG `record` as its last additional record, encoded.
    private static func attach(_ record: Record, to message: DNSMessage, key: TSIGKey) throws(DNSWireError) -> [UInt8] {
        var signed = message
        var data = DNSWriter()
        record.write(to: &data)
        signed.additional.append(DNSRecord(name: key.name, type: .tsig, recordClass: .any, ttl: 0, data: data.bytes))
        return try signed.encoded()
    }

    /// Checks the TSIG of a server's answer to a request signed with `requestMAC`. Returns the
    /// answer's TSIG record. Throws `TSIGFailure` when the answer is unsigned, signed with
    /// another key, carries a TSIG error, has a wrong MAC or a time outside the fudge.
    public static func verify(
        _ answer: ParsedDNSMessage, requestMAC: [UInt8], key: TSIGKey, now: UInt64
    ) throws(TSIGFailure) -> Record {
        guard let offset = answer.tsigOffset, let tsig = answer.message.additional.last, tsig.type == .tsig else {
            throw .unsigned
        }
        let record: Record
        do {
            record = try Record.parse(tsig.data)
        } catch {
            throw .malformed(error)
        }
        guard tsig.recordClass == .any, tsig.ttl == 0 else {
            throw .malformed(.badRecordData(type: "TSIG", reason: "class \(tsig.recordClass) TTL \(tsig.ttl), not ANY and 0"))
        }
        guard tsig.name == key.name, record.algorithm == key.algorithm.name else {
            throw .wrongKey(name: tsig.name.description, algorithm: record.algorithm.description)
        }
        // A server that rejects our signature answers unsigned, with the reason in the error field.
        guard record.error == .noError else { throw .serverError(record.error) }
        var unsigned = Array(answer.bytes[..<offset])
        guard unsigned.count >= 12 else { throw .unsigned }
        unsigned[0] = UInt8(record.originalID >> 8)
        unsigned[1] = UInt8(truncatingIfNeeded: record.originalID)
        let additional = (UInt16(unsigned[10]) << 8 | UInt16(unsigned[11])) &- 1
        unsigned[10] = UInt8(additional >> 8)
        unsigned[11] = UInt8(truncatingIfNeeded: additional)
        var digest = [UInt8(requestMAC.count >> 8), UInt8(truncatingIfNeeded: requestMAC.count)] + requestMAC
        digest += unsigned
        digest += variables(record, key: key)
        guard key.isValid(mac: record.mac, for: digest) else { throw .badMAC }
        let skew = now > record.timeSigned ? now - record.timeSigned : record.timeSigned - now
        guard skew <= UInt64(record.fudge) else { throw .badTime(skew: skew) }
        return record
    }

    /// The TSIG variables (RFC 8945 §4.3.3) in canonical form.
    private static func variables(_ record: Record, key: TSIGKey) -> [UInt8] {
        var writer = DNSWriter()
        writer.write(key.name)
        writer.write(DNSClass.any.rawValue)
        writer.write(UInt32(0))
        writer.write(record.algorithm)
        writer.writeUInt48(record.timeSigned)
        writer.write(record.fudge)
        writer.write(record.error.rawValue)
        writer.write(UInt16(truncatingIfNeeded: record.otherData.count))
        writer.write(record.otherData)
        return writer.bytes
    }
}

/// Why a server's answer failed TSIG verification.
public enum TSIGFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The answer carries no TSIG record, though the request was signed.
    case unsigned
    /// The TSIG record's data is malformed.
    case malformed(DNSWireError)
    /// Signed with another key or algorithm than the request.
    case wrongKey(name: String, algorithm: String)
    /// The server reports a TSIG error (BADSIG, BADKEY, BADTIME) about our request.
    case serverError(DNSRcode)
    /// The MAC does not match: the answer was altered or signed with another secret.
    case badMAC
    /// The answer's time signed is further from our clock than its fudge allows.
    case badTime(skew: UInt64)

    public var description: String {
        switch self {
        case .unsigned: "the answer is not signed (no TSIG record) though the request was"
        case .malformed(let error): "the answer's TSIG record is malformed: \(error)"
        case .wrongKey(let name, let algorithm): "the answer is signed with another key (\(name), \(algorithm))"
        case .serverError(let error): "the server rejected our signature: \(error)"
        case .badMAC: "the answer's TSIG MAC does not verify (altered, or another secret)"
        case .badTime(let skew): "the answer's TSIG time is \(skew) s from our clock (more than the fudge)"
        }
    }
}
