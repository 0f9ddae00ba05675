/// Where a group's addresses go when they span interfaces (`addresses: [{address, interface}]`).
extension GroupConfig {
    /// The addresses on one interface.
    public struct Placement: Sendable, Equatable {
        public var interface: String
        public var addresses: [IPPrefix]
    }

    /// The interface `prefix` goes on: its own, else the group's.
    public func interface(of prefix: IPPrefix) -> String? {
        addressInterfaces[prefix] ?? interface
    }

    /// The group's addresses by interface: the group's `interface` first (with no address, when every
    /// address names another), then the others in the order their first address is listed. Empty
    /// without an interface.
    public var placements: [Placement] {
        var result: [Placement] = []
        if let interface { result.append(Placement(interface: interface, addresses: [])) }
        for prefix in addresses {
            guard let name = interface(of: prefix) else { continue }
            if let index = result.firstIndex(where: { $0.interface == name }) {
                result[index].addresses.append(prefix)
            } else {
                result.append(Placement(interface: name, addresses: [prefix]))
            }
        }
        return result
    }

    /// The group's `interface` and every other interface its addresses go on.
    public var interfaces: [String] { placements.map(\.interface) }
}
