/// What this node expects of its virtual router's advertisements, beyond a well-formed packet.
public struct VRRPRouterIdentity: Sendable, Equatable {
    public var version: UInt8
    public var vrid: UInt8
    public var authentication: VRRPAuthentication

    public init(version: UInt8, vrid: UInt8, authentication: VRRPAuthentication = .none) {
        self.version = version
        self.vrid = vrid
        self.authentication = authentication
    }
}

extension VRRPAdvertisement {
    /// Throws unless this advertisement is for `router`: its VRID (another one is `otherVRID`, counted
    /// apart, as several virtual routers share 224.0.0.18), version and authentication.
    public func check(against router: VRRPRouterIdentity) throws(VRRPError) {
        guard vrid == router.vrid else { throw .otherVRID(vrid) }
        guard version == router.version else { throw .wrongVersion(version) }
        // Version 2: the password compares as sent, padded to 8 bytes (RFC 3768 section 5.3.6.1).
        guard authentication.type == router.authentication.type, authentication.data == router.authentication.data
        else { throw .authenticationMismatch }
    }
}
