import FloatIPCore
import Glibc

/// Why the local mover could not claim or release a group; each names the group, the interface
/// and the address, and says what to do.
public enum LocalMoverError: Error, CustomStringConvertible {
    /// The group has no `interface` (config validation normally prevents it).
    case noInterface(group: String)
    /// The group's interface does not exist on this server.
    case missingInterface(String, group: String)
    /// The kernel refused to add or remove an address.
    case kernel(group: String, interface: String, address: IPPrefix, action: String, error: Error)

    init(group: GroupConfig, address: IPPrefix, action: String, _ error: Error) {
        self = .kernel(group: group.name, interface: group.interface ?? "?", address: address, action: action, error: error)
    }

    public var description: String {
        switch self {
        case .noInterface(let group):
            return "group \(group) has no `interface`: the local mover needs one (e.g. `interface: eth0`)"
        case .missingInterface(let interface, let group):
            return "interface \(interface) of group \(group) does not exist on this server: check `interface` in "
                + "the config (`ip link` lists the interfaces)"
        case .kernel(let group, let interface, let address, let action, let error):
            var text = "group \(group): cannot \(action) \(address) on \(interface): \(error)"
            if let netlink = error as? NetlinkError, netlink.errno == EPERM {
                text += "; changing addresses needs CAP_NET_ADMIN: run floatip as root"
            }
            return text
        }
    }
}
