import Dispatch
import FloatIPCore
import FloatIPLinux
import Foundation
import Glibc
import Logging
import Synchronization

/// What a node keeps across its own restarts (docs/protocol.md, "Replay window and boot ids"): the
/// boot id it last used, so the next is higher even if the clock stepped back, and the highest boot
/// id it accepted from each peer, so a recording of a peer's earlier boot stays refused after this
/// node restarts.
///
/// One small text file per node in the state directory (`state_dir`, systemd's `$STATE_DIRECTORY`,
/// or /var/lib/floatip), replaced atomically (write, fsync, rename): at start, and when a peer is
/// heard from a boot not heard before (a restart of that peer). Writes after the start happen on a
/// queue of their own, never on the agent's thread. A missing or unreadable file is a first start:
/// the wall clock alone gives the boot id; a write that fails is logged and changes nothing else.
public final class BootRecord: Sendable {
    /// The file, or nil when there is no state directory.
    public let path: String?
    /// This run's boot id (`BootID.next` of the stored one and the wall clock).
    public let bootID: UInt64
    /// The highest boot id accepted from each peer in earlier runs.
    public let peerBoots: [String: UInt64]
    private let known: Mutex<[String: UInt64]>
    private let queue = DispatchQueue(label: "floatip-state")
    private let logger: Logger
    /// The node whose record this is (named in the file's comment).
    private let node: String

    /// The state directory the agent uses: `configured`, else systemd's `$STATE_DIRECTORY` (its
    /// first entry), else /var/lib/floatip (created if missing).
    public static func directory(configured: String?, environment: [String: String]) -> String {
        if let configured { return configured }
        if let systemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, systemd.hasPrefix("/") {
            return String(systemd)
        }
        return "/var/lib/floatip"
    }

    /// Reads the node's record in `directory` (created with mode 0750 if missing), picks this run's
    /// boot id and writes it back before returning, so that no datagram of this run leaves with a
    /// boot id that is not on disk.
    public init(
        directory: String?, node: String, wallMilliseconds: UInt64, logger: Logger = .silent
    ) {
        self.logger = logger
        self.node = node
        guard let directory else {
            logger.warning(
                "no state directory: boot ids come from the wall clock alone, and earlier boots of the peers are refused only while this agent runs (set state_dir; docs/protocol.md)")
            path = nil
            bootID = wallMilliseconds
            peerBoots = [:]
            known = Mutex([:])
            return
        }
        let path = directory + "/" + Self.fileName(node: node)
        self.path = path
        var stored = (boot: UInt64?.none, peers: [String: UInt64]())
        if let data = FileManager.default.contents(atPath: path) {
            switch Self.parse(String(decoding: data, as: UTF8.self)) {
            case .success(let record): stored = record
            case .failure(let problem):
                logger.warning("state file \(path): \(problem); starting as if it were lost (boot id from the wall clock)")
            }
        }
        bootID = BootID.next(last: stored.boot, wallMilliseconds: wallMilliseconds)
        if let last = stored.boot, last >= wallMilliseconds {
            logger.warning(
                "boot id \(bootID): the clock reads \(wallMilliseconds) ms, not after the last boot id \(last); kept above it (docs/protocol.md)")
        }
        peerBoots = stored.peers
        known = Mutex(stored.peers)
        mkdir(directory, 0o750)
        if let failure = Self.write(path: path, boot: bootID, peers: stored.peers, node: node) {
            logger.warning("state file \(path): \(failure); boot ids of the next run may not be above this one's")
        }
    }

    /// Remembers peers heard from a new boot (`NodeOutput.peerBoots`); written off the caller's thread.
    public func remember(_ boots: [String: UInt64]) {
        guard let path, !boots.isEmpty else { return }
        let changed = known.withLock { known -> [String: UInt64]? in
            var next = known
            for (peer, boot) in boots where boot > (next[peer] ?? 0) { next[peer] = boot }
            guard next != known else { return nil }
            known = next
            return next
        }
        guard changed != nil else { return }
        queue.async { [self] in
            // The newest state, not the one of this call: writes queued behind each other converge.
            let peers = known.withLock { $0 }
            if let failure = Self.write(path: path, boot: bootID, peers: peers, node: node) {
                logger.warning("state file \(path): \(failure)")
            }
        }
    }

    /// Waits until every queued write is on disk (for a clean stop and for tests).
    public func flush() {
        queue.sync {}
    }

    /// The file name for `node` (node names are [a-z0-9-], docs/config.md).
    static func fileName(node: String) -> String { "boot-ids.\(node)" }

    /// Parses a record: `boot N` once, `peer NAME N` per peer; `#` starts a comment.
    static func parse(_ text: String) -> Result<(boot: UInt64?, peers: [String: UInt64]), StateFileProblem> {
        var boot: UInt64?
        var peers: [String: UInt64] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(separator: " ")
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            switch (first, words.count) {
            case ("boot", 2):
                guard let value = UInt64(words[1]) else { return .failure(StateFileProblem(line: index + 1)) }
                boot = value
            case ("peer", 3):
                guard let value = UInt64(words[2]) else { return .failure(StateFileProblem(line: index + 1)) }
                peers[String(words[1])] = value
            default:
                return .failure(StateFileProblem(line: index + 1))
            }
        }
        return .success((boot, peers))
    }

    /// Writes the record to a temporary file, syncs it and renames it over `path`; nil or the failure.
    static func write(path: String, boot: UInt64, peers: [String: UInt64], node: String) -> String? {
        var text = "# floatip: boot ids of node \(node) (docs/protocol.md, \"Replay window and boot ids\")\n"
        text += "boot \(boot)\n"
        for peer in peers.keys.sorted() { text += "peer \(peer) \(peers[peer]!)\n" }
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { return "cannot write \(temporary): \(String(cString: strerror(errno)))" }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else { return "cannot write \(temporary)" }
        guard rename(temporary, path) == 0 else {
            return "cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))"
        }
        // The rename itself survives a power loss only once the directory is synced.
        let directory = open(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) + "/", O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
        return nil
    }
}

/// A state file line that is not `boot N` or `peer NAME N`.
struct StateFileProblem: Error, CustomStringConvertible {
    var line: Int
    var description: String { "line \(line) is not `boot N` or `peer NAME N`" }
}
