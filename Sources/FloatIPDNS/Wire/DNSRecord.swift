import FloatIPCore

/// A record type (RFC 1035 and successors); only the ones floatip reads or writes are named.
public struct DNSType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSType(rawValue: 1)
    public static let ns = DNSType(rawValue: 2)
    public static let cname = DNSType(rawValue: 5)
    public static let soa = DNSType(rawValue: 6)
    public static let aaaa = DNSType(rawValue: 28)
    public static let opt = DNSType(rawValue: 41)
    public static let tsig = DNSType(rawValue: 250)
    public static let any = DNSType(rawValue: 255)

    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .aaaa: "AAAA"
        case .opt: "OPT"
        case .tsig: "TSIG"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }

    /// A for an IPv4 address, AAAA for IPv6.
    public static func address(_ address: IPAddress) -> DNSType { address.isIPv4 ? .a : .aaaa }
}

/// A record class. Dynamic update uses ANY and NONE as operators (RFC 2136 §2.5).
public struct DNSClass: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let `in` = DNSClass(rawValue: 1)
    public static let none = DNSClass(rawValue: 254)
    public static let any = DNSClass(rawValue: 255)

    public var description: String {
        switch self {
        case .in: "IN"
        case .none: "NONE"
        case .any: "ANY"
        default: "CLASS\(rawValue)"
        }
    }
}

/// One resource record with its data kept as bytes; `address` decodes A and AAAA.
public struct DNSRecord: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSType
    public var recordClass: DNSClass
    public var ttl: UInt32
    public var data: [UInt8]

    public init(name: DNSName, type: DNSType, recordClass: DNSClass, ttl: UInt32, data: [UInt8]) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    /// An A or AAAA record of class IN holding `address`.
    public init(name: DNSName, address: IPAddress, ttl: UInt32) {
        self.init(name: name, type: .address(address), recordClass: .in, ttl: ttl, data: address.bytes)
    }

    /// The address of an A or AAAA record; nil for other types. Throws when the data has the wrong size.
    public func address() throws(DNSWireError) -> IPAddress? {
        switch type {
        case .a:
            guard data.count == 4 else { throw .badRecordData(type: "A", reason: "\(data.count) bytes, not 4") }
            return IPAddress(bytes: data)
        case .aaaa:
            guard data.count == 16 else { throw .badRecordData(type: "AAAA", reason: "\(data.count) bytes, not 16") }
            return IPAddress(bytes: data)
        default:
            return nil
        }
    }

    func write(to writer: inout DNSWriter) {
        writer.write(name)
        writer.write(type.rawValue)
        writer.write(recordClass.rawValue)
        writer.write(ttl)
        writer.write(UInt16(truncatingIfNeeded: data.count))
        writer.write(data)
    }

    static func read(from reader: inout DNSReader, section: String) throws(DNSWireError) -> DNSRecord {
        let name = try reader.readName("\(section) record name")
        let type = DNSType(rawValue: try reader.readUInt16("\(section) record type"))
        let recordClass = DNSClass(rawValue: try reader.readUInt16("\(section) record class"))
        let ttl = try reader.readUInt32("\(section) record TTL")
        let length = try reader.readUInt16("\(section) record data length")
        let data = try reader.readBytes(Int(length), "\(section) \(type) record data")
        return DNSRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, data: data)
    }
}
