/// The macvlan interface of a group with `virtual_mac: ID`: named `fipvm<ID>`, with the VRRP-style
/// MAC 00:00:5e:00:01:ID (RFC 5798's IPv4 range; the group's IPv6 addresses use it too), in
/// bridge mode, on top of the group's `interface`.
///
/// The host's settings it relies on: the macvlan answers ARP only for its own addresses
/// (`arp_ignore=1`), and the parent neither answers ARP for the floating addresses
/// (`arp_ignore=1`) nor uses them as the source of its own ARP requests (`arp_announce=2`).
/// Otherwise the parent's own MAC would reach the clients' neighbour caches for the floating
/// addresses (measured: it did, for both reasons, with the kernel's defaults of 0).
public struct VirtualMAC: Sendable, Hashable {
    /// The VRRP virtual router ID, 1…255: the last byte of the MAC.
    public var id: UInt8

    public init(id: UInt8) { self.id = id }

    /// `00:00:5e:00:01:ID`.
    public var mac: [UInt8] { [0x00, 0x00, 0x5E, 0x00, 0x01, id] }

    /// `fipvm<ID>`: at most 8 bytes, well within the kernel's 15.
    public var interfaceName: String { "fipvm\(id)" }

    /// Bridge: the macvlan reaches the wire as in every mode, and other macvlans on the same parent
    /// (another group's, a container's) directly instead of not at all (private) or only through a
    /// hairpinning switch (vepa).
    public static let mode = MacvlanMode.bridge

    /// What the macvlan itself needs: answer ARP only for its own (floating) addresses, never for
    /// the parent's, which would otherwise be answered with the virtual MAC.
    static let macvlanSettings: [(IPv4DeviceSetting, UInt32)] = [(.arpIgnore, 1)]

    /// The least the parent needs: it must not answer ARP for the floating addresses with its own
    /// MAC, nor send ARP requests with a floating address as the sender. Higher values are kept.
    static let parentMinimums: [(IPv4DeviceSetting, UInt32)] = [(.arpIgnore, 1), (.arpAnnounce, 2)]
}
