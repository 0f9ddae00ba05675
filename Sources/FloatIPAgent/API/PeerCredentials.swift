import Foundation
import Glibc
import NIOCore

/// Who is at the other end of a Unix socket connection, as the kernel says (`SO_PEERCRED`: the
/// credentials the peer had when it connected; it cannot lie about them).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    /// `struct ucred` of linux/socket.h: pid, uid, gid, each 32 bits, in this order.
    struct Raw: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// `SO_PEERCRED`, from the C library's headers (its number differs between architectures).
    static let option = Int32(SO_PEERCRED)

    /// The peer of `channel` (an accepted Unix socket connection), or nil when the channel is not a
    /// socket NIO can ask (an in-memory test channel) or the kernel refused.
    static func read(_ channel: any Channel) async -> PeerCredentials? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let future: EventLoopFuture<Raw> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(option))
        guard let raw = try? await future.get() else { return nil }
        return PeerCredentials(pid: raw.pid, uid: raw.uid, gid: raw.gid)
    }

    /// The supplementary groups of the peer's process (`Groups:` of /proc/PID/status); empty when
    /// it has gone or cannot be read.
    func supplementaryGroups(proc: String = "/proc") -> [UInt32] {
        guard let text = try? String(contentsOfFile: "\(proc)/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") })
        else { return [] }
        return line.dropFirst("Groups:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
    }
}

/// Who may use the API over the Unix socket: root, the agent's own user, and members of the
/// group `floatip` (primary or supplementary). The socket's mode (0660, group `floatip`) already
/// keeps others out; this is the same rule checked again on the connection, so a socket whose
/// mode was loosened by hand still refuses them.
public struct PeerPolicy: Sendable {
    /// The agent's effective user.
    public var ownUID: UInt32
    /// The group `floatip`'s id, nil when the system has no such group (then only root and the
    /// agent's user are let in).
    public var groupID: UInt32?

    /// The group whose members may use the socket.
    public static let groupName = "floatip"

    public init(ownUID: UInt32, groupID: UInt32?) {
        self.ownUID = ownUID
        self.groupID = groupID
    }

    /// This process's policy: its effective uid and the system's `floatip` group.
    public static func current() -> PeerPolicy {
        PeerPolicy(ownUID: geteuid(), groupID: groupID(named: groupName))
    }

    /// The id of group `name` from the group database, or nil.
    static func groupID(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    /// Why `peer` (with supplementary `groups`) is refused, or nil when it is let in.
    public func refusal(_ peer: PeerCredentials, groups: [UInt32]) -> String? {
        if peer.uid == 0 || peer.uid == ownUID { return nil }
        if let groupID, peer.gid == groupID || groups.contains(groupID) { return nil }
        let who = "uid \(peer.uid) (pid \(peer.pid))"
        guard groupID != nil else {
            return "\(who) may not use the agent's API socket: only root may (there is no group \(Self.groupName))"
        }
        return "\(who) may not use the agent's API socket: only root and members of group \(Self.groupName) may"
    }
}
