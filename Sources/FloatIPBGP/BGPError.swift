import FloatIPCore

/// Everything wrong a peer can send, each mapped to the NOTIFICATION (code, subcode, data) that
/// RFC 4271 §6 (and RFC 4760, 6793, 5492) prescribes. Decoding never traps: every malformed
/// message ends as one of these, and the session sends its `notification` and resets.
public enum BGPError: Error, Sendable, Equatable, CustomStringConvertible {
    // Message header errors (code 1).
    case badMarker
    case badLength(UInt16)
    case badType(UInt8)
    // OPEN message errors (code 2).
    case unsupportedVersion(UInt8)
    case badPeerAS(expected: UInt32, got: UInt32)
    case badIdentifier(UInt32)
    case unsupportedOptionalParameter(UInt8)
    case unacceptableHoldTime(UInt16)
    case malformedOpen(String)
    // UPDATE message errors (code 3).
    case malformedAttributeList(String)
    case unrecognizedWellKnown(UInt8)
    case missingWellKnown(UInt8)
    case attributeFlags(type: UInt8, flags: UInt8)
    case attributeLength(type: UInt8, length: Int)
    case invalidOrigin(UInt8)
    case invalidNextHop(String)
    case optionalAttribute(type: UInt8, String)
    case invalidNetworkField(String)
    case malformedASPath(String)

    /// The NOTIFICATION that answers this error.
    public var notification: BGPNotification {
        switch self {
        case .badMarker: BGPNotification(code: 1, subcode: 1)
        case .badLength(let length): BGPNotification(code: 1, subcode: 2, data: [UInt8(length >> 8), UInt8(length & 0xFF)])
        case .badType(let type): BGPNotification(code: 1, subcode: 3, data: [type])
        case .unsupportedVersion: BGPNotification(code: 2, subcode: 1, data: [0, 4])
        case .badPeerAS: BGPNotification(code: 2, subcode: 2)
        case .badIdentifier: BGPNotification(code: 2, subcode: 3)
        case .unsupportedOptionalParameter: BGPNotification(code: 2, subcode: 4)
        case .unacceptableHoldTime: BGPNotification(code: 2, subcode: 6)
        case .malformedOpen: BGPNotification(code: 2, subcode: 0)
        case .malformedAttributeList: BGPNotification(code: 3, subcode: 1)
        case .unrecognizedWellKnown(let type): BGPNotification(code: 3, subcode: 2, data: [type])
        case .missingWellKnown(let type): BGPNotification(code: 3, subcode: 3, data: [type])
        case .attributeFlags: BGPNotification(code: 3, subcode: 4)
        case .attributeLength: BGPNotification(code: 3, subcode: 5)
        case .invalidOrigin: BGPNotification(code: 3, subcode: 6)
        case .invalidNextHop: BGPNotification(code: 3, subcode: 8)
        case .optionalAttribute: BGPNotification(code: 3, subcode: 9)
        case .invalidNetworkField: BGPNotification(code: 3, subcode: 10)
        case .malformedASPath: BGPNotification(code: 3, subcode: 11)
        }
    }

    public var description: String {
        switch self {
        case .badMarker: "message header: the marker is not all ones"
        case .badLength(let length): "message header: length \(length) is outside 19–4096 or wrong for the type"
        case .badType(let type): "message header: unknown message type \(type)"
        case .unsupportedVersion(let version): "OPEN: BGP version \(version) (only 4 is supported)"
        case .badPeerAS(let expected, let got): "OPEN: the peer says it is AS \(got), the config says AS \(expected)"
        case .badIdentifier(let id): "OPEN: BGP identifier \(BGPOpen.dotted(id)) is not a valid router ID"
        case .unsupportedOptionalParameter(let type): "OPEN: unsupported optional parameter type \(type)"
        case .unacceptableHoldTime(let time): "OPEN: hold time \(time) s (must be 0 or at least 3 s)"
        case .malformedOpen(let what): "OPEN: \(what)"
        case .malformedAttributeList(let what): "UPDATE: malformed attribute list: \(what)"
        case .unrecognizedWellKnown(let type): "UPDATE: unrecognized well-known attribute \(type)"
        case .missingWellKnown(let type): "UPDATE: missing well-known attribute \(type)"
        case .attributeFlags(let type, let flags): "UPDATE: attribute \(type) has wrong flags 0x\(String(flags, radix: 16))"
        case .attributeLength(let type, let length): "UPDATE: attribute \(type) has wrong length \(length)"
        case .invalidOrigin(let origin): "UPDATE: invalid ORIGIN \(origin)"
        case .invalidNextHop(let what): "UPDATE: invalid NEXT_HOP: \(what)"
        case .optionalAttribute(let type, let what): "UPDATE: optional attribute \(type): \(what)"
        case .invalidNetworkField(let what): "UPDATE: invalid network field: \(what)"
        case .malformedASPath(let what): "UPDATE: malformed AS_PATH: \(what)"
        }
    }
}
