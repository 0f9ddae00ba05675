import FloatIPCore

/// An UPDATE (RFC 4271 §4.3), IPv6 in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760).
public struct BGPUpdate: Sendable, Equatable {
    /// IPv4 routes withdrawn.
    public var withdrawn: [IPPrefix]
    public var attributes: [BGPAttribute]
    /// IPv4 routes announced (with the attributes' NEXT_HOP).
    public var announced: [IPPrefix]

    public init(withdrawn: [IPPrefix] = [], attributes: [BGPAttribute] = [], announced: [IPPrefix] = []) {
        self.withdrawn = withdrawn
        self.attributes = attributes
        self.announced = announced
    }

    /// The attribute of type `code`, if present.
    public func attribute(_ code: UInt8) -> BGPAttribute? { attributes.first { $0.code == code } }

    /// Every route this UPDATE announces, IPv4 and MP_REACH alike.
    public var allAnnounced: [IPPrefix] {
        announced + attributes.flatMap { attribute -> [IPPrefix] in
            if case .mpReach(_, _, let prefixes) = attribute { return prefixes }
            return []
        }
    }
}

/// A path attribute (RFC 4271 §5; RFC 1997 communities; RFC 4760 MP_REACH / MP_UNREACH).
public enum BGPAttribute: Sendable, Equatable {
    public enum Origin: UInt8, Sendable { case igp = 0, egp = 1, incomplete = 2 }

    /// An AS_PATH segment: AS_SET (1) or AS_SEQUENCE (2).
    public struct Segment: Sendable, Equatable {
        public var type: UInt8
        public var asns: [UInt32]
        public init(type: UInt8, asns: [UInt32]) {
            self.type = type
            self.asns = asns
        }
        public static func sequence(_ asns: [UInt32]) -> Segment { Segment(type: 2, asns: asns) }
    }

    case origin(Origin)
    case asPath([Segment])
    case nextHop(IPAddress)
    case med(UInt32)
    case localPref(UInt32)
    case communities([UInt32])
    /// The family, its next hop(s) (IPv6: global, and link-local if sent), the routes.
    case mpReach(BGPFamily, nextHops: [IPAddress], [IPPrefix])
    case mpUnreach(BGPFamily, [IPPrefix])
    /// An attribute floatip does not read: kept with its flags (read and ignored).
    case other(flags: UInt8, code: UInt8, value: [UInt8])

    public var code: UInt8 {
        switch self {
        case .origin: 1
        case .asPath: 2
        case .nextHop: 3
        case .med: 4
        case .localPref: 5
        case .communities: 8
        case .mpReach: 14
        case .mpUnreach: 15
        case .other(_, let code, _): code
        }
    }

    /// RFC 8326: GRACEFUL_SHUTDOWN, a path about to go away (routers lower its preference).
    public static let gracefulShutdown: UInt32 = 0xFFFF_0000
}

/// The messages of a BGP-4 session.
public enum BGPMessage: Sendable, Equatable {
    case open(BGPOpen)
    case update(BGPUpdate)
    case notification(BGPNotification)
    case keepalive
    /// RFC 2918.
    case routeRefresh(BGPFamily)

    public var type: UInt8 {
        switch self {
        case .open: 1
        case .update: 2
        case .notification: 3
        case .keepalive: 4
        case .routeRefresh: 5
        }
    }
}
