import CFloatIPLinux
import Glibc

extension RouteNetlink {
    /// Creates a macvlan link `name` on the link `parentIndex` with the hardware address `mac`
    /// (RTM_NEWLINK), down. An existing link of that name fails with EEXIST.
    public func createMacvlan(
        named name: String, parentIndex: Int32, mac: [UInt8], mode: MacvlanMode = .bridge
    ) throws(NetlinkError) {
        let macText = LinkInfo(index: 0, name: name, mac: mac).macText
        func describe(on parent: String) -> String { "create macvlan \(name) (\(macText), mode \(mode.name)) on \(parent)" }
        let operation = describe(on: "index \(parentIndex)")
        guard !name.isEmpty, name.utf8.count < Int(IFNAMSIZ), !name.utf8.contains(0) else {
            throw NetlinkError(operation: operation, errno: EINVAL, detail: "interface names are 1 to 15 bytes")
        }
        guard mac.count == 6 else {
            throw NetlinkError(operation: operation, errno: EINVAL, detail: "an Ethernet MAC has 6 bytes, not \(mac.count)")
        }
        do {
            _ = try exchange(operation: operation) { sequence in
                LinkRequest.newMacvlan(name: name, parentIndex: parentIndex, mac: mac, mode: mode, sequence: sequence)
            }
        } catch {
            var error = error
            if let parent = try? link(index: parentIndex) {
                error.operation = describe(on: "\(parent.name) (index \(parentIndex))")
            } else if error.errno == ENODEV, error.detail == nil {
                error.detail = "no interface has index \(parentIndex)"
            }
            throw error
        }
    }

    /// Sets the link `index` administratively up or down (IFF_UP).
    public func setLink(index: Int32, up: Bool) throws(NetlinkError) {
        _ = try exchange(operation: "set link index \(index) \(up ? "up" : "down")") { sequence in
            LinkRequest.setUp(index: index, up, sequence: sequence)
        }
    }

    /// Sets IPv4 settings of the link `index` (`net.ipv4.conf.<link>.*`), and with
    /// `noIPv6AddressGeneration` turns off its automatic IPv6 addresses (link-local included:
    /// `addrgenmode none`; takes effect for addresses made when the link next comes up).
    public func setFamilySettings(
        index: Int32, ipv4: [(IPv4DeviceSetting, UInt32)], noIPv6AddressGeneration: Bool = false
    ) throws(NetlinkError) {
        guard !ipv4.isEmpty || noIPv6AddressGeneration else { return }
        var what = ipv4.map { "\($0.0.name)=\($0.1)" }
        if noIPv6AddressGeneration { what.append("addrgenmode=none") }
        _ = try exchange(operation: "set \(what.joined(separator: " ")) on index \(index)") { sequence in
            LinkRequest.setFamilySettings(
                index: index, ipv4: ipv4, noIPv6AddressGeneration: noIPv6AddressGeneration, sequence: sequence)
        }
    }

    /// Deletes the link `index` (RTM_DELLINK), with its addresses. A missing link fails with ENODEV.
    public func deleteLink(index: Int32) throws(NetlinkError) {
        _ = try exchange(operation: "delete link index \(index)") { sequence in
            LinkRequest.delete(index: index, sequence: sequence)
        }
    }
}
