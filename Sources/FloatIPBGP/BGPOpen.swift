import FloatIPCore

/// An OPEN (RFC 4271 §4.2) with its capabilities (RFC 5492).
public struct BGPOpen: Sendable, Equatable {
    /// The speaker's AS: the real one (a four-octet AS is carried in its capability; the two-octet
    /// field then says AS_TRANS, 23456, RFC 6793).
    public var asn: UInt32
    /// Seconds; 0 (no keepalives) or at least 3.
    public var holdTime: UInt16
    /// The BGP identifier (router ID), an IPv4 address as a number.
    public var identifier: UInt32
    public var capabilities: [BGPCapability]

    public init(asn: UInt32, holdTime: UInt16, identifier: UInt32, capabilities: [BGPCapability]) {
        self.asn = asn
        self.holdTime = holdTime
        self.identifier = identifier
        self.capabilities = capabilities
    }

    /// AS_TRANS: what the two-octet AS field says for a four-octet AS.
    public static let asTrans: UInt32 = 23456

    /// floatip's OPEN: multiprotocol IPv4 and IPv6 unicast, route refresh, four-octet AS.
    public static func floatip(asn: UInt32, holdTime: UInt16, identifier: UInt32) -> BGPOpen {
        BGPOpen(asn: asn, holdTime: holdTime, identifier: identifier, capabilities: [
            .multiprotocol(.ipv4Unicast), .multiprotocol(.ipv6Unicast), .routeRefresh, .fourOctetAS(asn),
        ])
    }

    /// Whether the capability list has `capability`.
    public func has(_ capability: BGPCapability) -> Bool { capabilities.contains(capability) }

    /// The peer's four-octet AS capability, if it sent one.
    public var fourOctetAS: UInt32? {
        for case .fourOctetAS(let asn) in capabilities { return asn }
        return nil
    }

    /// `198.18.0.1` for an identifier.
    public static func dotted(_ identifier: UInt32) -> String {
        "\(identifier >> 24).\(identifier >> 16 & 0xFF).\(identifier >> 8 & 0xFF).\(identifier & 0xFF)"
    }
}

/// An address family and subsequent address family (RFC 4760).
public struct BGPFamily: Sendable, Hashable, CustomStringConvertible {
    public var afi: UInt16
    public var safi: UInt8

    public init(afi: UInt16, safi: UInt8) {
        self.afi = afi
        self.safi = safi
    }

    public static let ipv4Unicast = BGPFamily(afi: 1, safi: 1)
    public static let ipv6Unicast = BGPFamily(afi: 2, safi: 1)

    public var description: String {
        switch self {
        case .ipv4Unicast: "IPv4 unicast"
        case .ipv6Unicast: "IPv6 unicast"
        default: "AFI \(afi) SAFI \(safi)"
        }
    }
}

/// One capability of an OPEN (RFC 5492); others are kept as they came.
public enum BGPCapability: Sendable, Equatable {
    /// Code 1, RFC 4760.
    case multiprotocol(BGPFamily)
    /// Code 2, RFC 2918.
    case routeRefresh
    /// Code 65, RFC 6793.
    case fourOctetAS(UInt32)
    case other(code: UInt8, value: [UInt8])
}
