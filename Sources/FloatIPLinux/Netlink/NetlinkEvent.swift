/// A change the kernel announced on the rtnetlink multicast groups, or a fresh snapshot.
public enum NetlinkEvent: Sendable, Hashable {
    /// An address appeared, or an existing one changed (lifetime renewed, flags: RTM_NEWADDR).
    case addressAdded(AddressInfo)
    /// An address was removed (by someone, by link down for IPv6, or by its lifetime running out).
    case addressRemoved(AddressInfo)
    /// A link appeared or changed (up/down, carrier, MTU, name, MAC).
    case linkChanged(LinkInfo)
    /// The link with this index is gone.
    case linkRemoved(Int32)
    /// The watcher lost events (the socket overflowed: ENOBUFS, or the consumer fell behind the
    /// stream's buffer) and re-read the whole state: this snapshot replaces everything before it.
    case resynced(addresses: [AddressInfo], links: [LinkInfo])

    /// The event a multicast message announces; nil for other messages or ones that do not decode.
    init?(_ message: NetlinkMessage) {
        switch message.type {
        case RT.newAddress:
            guard let address = AddressInfo(payload: message.payload) else { return nil }
            self = .addressAdded(address)
        case RT.delAddress:
            guard let address = AddressInfo(payload: message.payload) else { return nil }
            self = .addressRemoved(address)
        case RT.newLink:
            guard let link = LinkInfo(payload: message.payload) else { return nil }
            self = .linkChanged(link)
        case RT.delLink:
            guard let index = LinkInfo.index(payload: message.payload) else { return nil }
            self = .linkRemoved(index)
        default:
            return nil
        }
    }
}
