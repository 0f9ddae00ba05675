/// A response code: the header's four bits, or a TSIG error (RFC 8945 §3) carried in the TSIG record.
public struct DNSRcode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = DNSRcode(rawValue: 0)
    public static let formErr = DNSRcode(rawValue: 1)
    public static let servFail = DNSRcode(rawValue: 2)
    public static let nxDomain = DNSRcode(rawValue: 3)
    public static let notImp = DNSRcode(rawValue: 4)
    public static let refused = DNSRcode(rawValue: 5)
    public static let yxDomain = DNSRcode(rawValue: 6)
    public static let yxRRSet = DNSRcode(rawValue: 7)
    public static let nxRRSet = DNSRcode(rawValue: 8)
    public static let notAuth = DNSRcode(rawValue: 9)
    public static let notZone = DNSRcode(rawValue: 10)
    public static let badSig = DNSRcode(rawValue: 16)
    public static let badKey = DNSRcode(rawValue: 17)
    public static let badTime = DNSRcode(rawValue: 18)
    public static let badTrunc = DNSRcode(rawValue: 22)

    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formErr: "FORMERR"
        case .servFail: "SERVFAIL"
        case .nxDomain: "NXDOMAIN"
        case .notImp: "NOTIMP"
        case .refused: "REFUSED"
        case .yxDomain: "YXDOMAIN"
        case .yxRRSet: "YXRRSET"
        case .nxRRSet: "NXRRSET"
        case .notAuth: "NOTAUTH"
        case .notZone: "NOTZONE"
        case .badSig: "BADSIG"
        case .badKey: "BADKEY"
        case .badTime: "BADTIME"
        case .badTrunc: "BADTRUNC"
        default: "RCODE\(rawValue)"
        }
    }
}

/// The operation of a message (header OPCODE).
public struct DNSOpcode: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let query = DNSOpcode(rawValue: 0)
    /// RFC 2136 dynamic update.
    public static let update = DNSOpcode(rawValue: 5)
}
