import CFloatIPLinux
import Foundation
import Glibc

/// Who holds a UDP port in this network namespace, from /proc/net/udp and /proc/net/udp6: for an
/// error that names the owner when the agent cannot bind its peer port (another agent, or a local
/// user squatting it; docs/security.md).
public enum UDPPortOwners {
    /// The user ids of the sockets bound to `port` (any address), each once, in order.
    public static func uids(port: UInt16) -> [UInt32] {
        var found: [UInt32] = []
        for table in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let data = FileManager.default.contents(atPath: table) else { continue }
            for uid in uids(port: port, table: String(decoding: data, as: UTF8.self)) where !found.contains(uid) {
                found.append(uid)
            }
        }
        return found
    }

    /// The user ids in one table's text whose local port is `port`.
    /// A line: `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …`,
    /// the local address as `HEXADDR:HEXPORT`.
    static func uids(port: UInt16, table: String) -> [UInt32] {
        table.split(separator: "\n").dropFirst().compactMap { line -> UInt32? in
            let fields = line.split(separator: " ")
            guard fields.count > 7, let colon = fields[1].lastIndex(of: ":"),
                UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) == port
            else { return nil }
            return UInt32(fields[7])
        }
    }

    /// `uid 65534 (nobody)`, or just the number when the user has no name.
    public static func describe(uid: UInt32) -> String {
        guard let name = userName(uid: uid) else { return "uid \(uid)" }
        return "uid \(uid) (\(name))"
    }
}

/// The name of user `uid` in the user database, or nil when it has none.
public func userName(uid: UInt32) -> String? {
    guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
    return String(cString: name)
}
