import CFloatIPLinux
import FloatIPCore
import Glibc

/// Why the local mover could not claim or release a group; each names the group, the interface
/// and the address, and says what to do.
public enum LocalMoverError: Error, CustomStringConvertible {
    /// The group has no `interface` (config validation normally prevents it).
    case noInterface(group: String)
    /// The group's interface does not exist on this server.
    case missingInterface(String, group: String)
    /// An interface named like the group's macvlan (`fipvm<ID>`) exists and is not a macvlan.
    case virtualMACNameTaken(String, kind: String?, group: String)
    /// The kernel refused to create, configure or delete the group's macvlan (`virtual_mac`).
    case virtualMAC(group: String, interface: String, action: String, error: Error)
    /// The group's arbiter (an etcd lease) ends too soon for any kernel lifetime that would
    /// surely end before it (`ExpiringMover`): adding the addresses could outlive the lease.
    case boundTooNear(group: String, left: Duration)
    /// The kernel refused to add or remove an address.
    case kernel(group: String, interface: String, address: IPPrefix, action: String, error: Error)

    init(group: GroupConfig, interface: String? = nil, address: IPPrefix, action: String, _ error: Error) {
        self = .kernel(
            group: group.name, interface: interface ?? group.interface ?? "?", address: address, action: action,
            error: error)
    }

    public var description: String {
        switch self {
        case .noInterface(let group):
            return "group \(group) has no `interface`: the local mover needs one (e.g. `interface: eth0`)"
        case .missingInterface(let interface, let group):
            return "interface \(interface) of group \(group) does not exist on this server: check `interface` in "
                + "the config (`ip link` lists the interfaces)"
        case .virtualMACNameTaken(let name, let kind, let group):
            return "group \(group): interface \(name) exists and is not a macvlan (kind \(kind ?? "none")): "
                + "remove or rename it, or give the group another `virtual_mac`"
        case .virtualMAC(let group, let interface, let action, let error):
            var text = "group \(group): cannot \(action) for virtual_mac on \(interface): \(error)"
            if let netlink = error as? NetlinkError {
                if netlink.errno == EPERM { text += "; changing links needs CAP_NET_ADMIN: run floatip as root" }
                if netlink.errno == EOPNOTSUPP { text += "; the kernel needs macvlan support (modprobe macvlan)" }
            }
            return text
        case .boundTooNear(let group, let left):
            return "group \(group): its lease ends in \(left.shortDescription), too soon for an address lifetime that "
                + "surely ends before it (whole seconds, plus \(LocalMover.kernelSlack.shortDescription) for the "
                + "kernel's lifetime check): not adding its addresses"
        case .kernel(let group, let interface, let address, let action, let error):
            var text = "group \(group): cannot \(action) \(address) on \(interface): \(error)"
            if let netlink = error as? NetlinkError, netlink.errno == EPERM {
                text += "; changing addresses needs CAP_NET_ADMIN: run floatip as root"
            }
            return text
        }
    }
}
