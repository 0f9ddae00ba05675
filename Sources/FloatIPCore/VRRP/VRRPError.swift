/// Why an advertisement was dropped (or could not be encoded). Each case has a stable `reason`, the
/// label of the agent's dropped-advertisement counter, and a `description` that names what is wrong.
public enum VRRPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the fixed header and the addresses it counts; the size.
    case truncated(Int)
    /// A version other than 2 or 3, or not the one the virtual router speaks.
    case wrongVersion(UInt8)
    /// A type other than 1 (advertisement).
    case wrongType(UInt8)
    /// The TTL or hop limit is not 255: the packet crossed a router (RFC 5798 section 7.1).
    case badHopLimit(UInt8)
    /// The checksum does not match the message (in any accepted form).
    case badChecksum
    /// The address count disagrees with the bytes that follow, or is 0; the count.
    case badCount(Int)
    /// Version 2 over IPv6, or addresses of the other family than the packet's.
    case wrongFamily
    /// An advertisement interval of 0, or one the version cannot carry (encode).
    case badInterval(Int)
    /// A virtual router id of 0.
    case badVRID
    /// Version 2's authentication type 2 (IP authentication header) or an unknown type.
    case unsupportedAuthentication(UInt8)
    /// The authentication type or password differs from the configured one.
    case authenticationMismatch
    /// Another virtual router's advertisement (not an error of the packet: counted apart).
    case otherVRID(UInt8)
    /// A unicast advertisement from an address that is not a `unicast_peers` entry (keepalived's
    /// `check_unicast_src`); the source.
    case notAPeer(IPAddress)
    /// Sent to the group when the router is unicast, or to this node when it is multicast (keepalived
    /// drops both); the destination.
    case wrongDestination(IPAddress)
    /// More than 255 addresses, or a password longer than 8 bytes (encode).
    case unencodable(String)

    /// A stable snake_case label for metrics (`floatip_vrrp_dropped_total{reason=...}`).
    public var reason: String {
        switch self {
        case .truncated: "truncated"
        case .wrongVersion: "wrong_version"
        case .wrongType: "wrong_type"
        case .badHopLimit: "bad_ttl"
        case .badChecksum: "bad_checksum"
        case .badCount: "bad_count"
        case .wrongFamily: "wrong_family"
        case .badInterval: "bad_interval"
        case .badVRID: "bad_vrid"
        case .unsupportedAuthentication: "bad_auth_type"
        case .authenticationMismatch: "bad_auth"
        case .otherVRID: "other_vrid"
        case .notAPeer: "not_a_peer"
        case .wrongDestination: "wrong_destination"
        case .unencodable: "unencodable"
        }
    }

    public var description: String {
        switch self {
        case .truncated(let size): "truncated: \(size) bytes are fewer than the header and the addresses it counts"
        case .wrongVersion(let version): "VRRP version \(version) (this virtual router speaks another)"
        case .wrongType(let type): "type \(type) is not an advertisement (1)"
        case .badHopLimit(let ttl): "TTL/hop limit \(ttl), not 255: the packet crossed a router"
        case .badChecksum: "the checksum does not match"
        case .badCount(let count): "the address count \(count) does not match the packet's length"
        case .wrongFamily: "addresses of the wrong family (version 2 is IPv4 only)"
        case .badInterval(let value): "advertisement interval \(value) is out of range"
        case .badVRID: "virtual router id 0"
        case .unsupportedAuthentication(let type): "authentication type \(type) is not supported (0 none, 1 PASS)"
        case .authenticationMismatch: "the authentication does not match this virtual router's"
        case .otherVRID(let vrid): "virtual router id \(vrid) is not this virtual router's"
        case .notAPeer(let source): "unicast advertisement from \(source), which is not a unicast peer"
        case .wrongDestination(let address): "sent to \(address): a multicast router takes the group's advertisements, a unicast one those sent to its own address"
        case .unencodable(let what): "cannot encode: \(what)"
        }
    }
}
