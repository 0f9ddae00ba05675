import FloatIPCore

/// The ARP operation a gratuitous ARP frame carries.
public enum ARPOperation: UInt16, Sendable, CaseIterable {
    case request = 1
    case reply = 2
}

/// Which frames each form sends (the form itself, `ARPForm`, is a config setting in the core).
///
/// Both forms are *true* gratuitous ARPs (sender IP = target IP, and for the reply also target
/// MAC = sender MAC), which a Linux neighbour accepts even within its `locktime` (1 s) after its
/// last update; a reply with target MAC = broadcast would be ignored there. The default is
/// `.request`: RFC 5227's "ARP Announcement" and what the kernel itself sends (arp_notify).
extension ARPForm {
    /// The operations to send, in order.
    public var operations: [ARPOperation] {
        switch self {
        case .request: [.request]
        case .reply: [.reply]
        case .both: [.request, .reply]
        }
    }
}

/// Builds gratuitous ARP frames: Ethernet header and ARP payload, 42 bytes. Pure, no I/O.
public enum ARPFrame {
    /// Ethernet header (14) + ARP for IPv4 over Ethernet (28).
    public static let length = 42
    /// EtherType of ARP.
    static let etherType: UInt16 = 0x0806

    /// A gratuitous ARP announcing `address` (IPv4, host order as in `IPAddress.v4`) at `mac` (6 bytes).
    public static func gratuitous(_ operation: ARPOperation, address: UInt32, mac: [UInt8]) -> [UInt8] {
        precondition(mac.count == 6, "an Ethernet address has 6 bytes")
        let broadcast: [UInt8] = Array(repeating: 0xFF, count: 6)
        let ip = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: address >> $0) }
        var frame: [UInt8] = []
        frame.reserveCapacity(length)
        frame += broadcast  // Ethernet destination
        frame += mac  // Ethernet source
        frame += bigEndian(etherType)
        frame += bigEndian(1)  // hardware type: Ethernet
        frame += bigEndian(0x0800)  // protocol type: IPv4
        frame += [6, 4]  // hardware and protocol address lengths
        frame += bigEndian(operation.rawValue)
        frame += mac + ip  // sender MAC, sender IP
        frame += (operation == .request ? Array(repeating: 0, count: 6) : mac) + ip  // target MAC, target IP
        return frame
    }

    private static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
}
