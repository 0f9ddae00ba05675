import FloatIPLinux
import Foundation
import Glibc

/// A real etcd cluster the lab starts for itself (the `etcd` binary of Debian's `etcd-server`):
/// members m1…mN in the lab's switch namespace at 198.18.0.21…, ports 2379/2380, so every node
/// reaches them over the lab's own network (and a node's nftables can cut it off from them). Data
/// directories under `LabLayout.etcdDirectory`, logs in the lab's directory; `Lab.down` ends the
/// members (they run in the switch namespace) and removes both, also after a crash of the tool.
///
/// Members are started with etcd's default timing (heartbeat 100 ms, election timeout 1 s), which
/// the chaos judge's etcd bounds assume (`ChaosRules.Etcd`).
public final class LabEtcd {
    /// One member: its name, address and the PID of its running process (nil while it is down).
    public struct Member: Sendable, Equatable {
        public var name: String
        public var address: String
        public var pid: Int32?
    }

    public let layout: LabLayout
    public private(set) var members: [Member]
    private let etcd: String

    /// The path of the `etcd` binary, or nil.
    public static func executable() -> String? {
        ["/usr/bin/etcd", "/usr/sbin/etcd", "/usr/local/bin/etcd"].first(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// Starts `count` members (1…3) in `layout`'s switch namespace (the network must be built) and
    /// waits (at most 20 s) until every member names the same leader. On failure it ends what it started.
    public init(layout: LabLayout, count: Int = 3) throws(LabError) {
        guard let etcd = Self.executable() else { throw .missingTool("etcd (install etcd-server)") }
        guard (1...LabLayout.etcdAddresses.count).contains(count) else { throw .system("an etcd cluster of \(count) members: use 1 to 3") }
        self.etcd = etcd
        self.layout = layout
        members = (1...count).map { Member(name: "m\($0)", address: LabLayout.etcdAddresses[$0 - 1], pid: nil) }
        do {
            try FileManager.default.createDirectory(atPath: layout.etcdDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .system("cannot create \(layout.etcdDirectory): \(error)")
        }
        do {
            for member in members {
                try LabShell.ip("-n", layout.switchNamespace, "addr", "add", "\(member.address)/24", "dev", LabLayout.bridge)
            }
            for index in members.indices { try start(index) }
            try waitForLeader(within: .seconds(20))
        } catch {
            stop()
            throw error
        }
    }

    /// The members' client URLs, for `coordination.endpoints`.
    public var endpoints: [String] { members.map { "http://\($0.address):2379" } }

    /// Member `index`'s log (in the lab's directory).
    public func log(_ index: Int) -> String { layout.directory + "/etcd-\(members[index].name).log" }

    /// SIGKILL of member `index`, as a crash would; waits (bounded) until it is gone.
    public func kill(_ index: Int) {
        guard let pid = members[index].pid else { return }
        members[index].pid = nil
        guard LabProcesses.belongs(pid, to: layout.etcdDirectory) else { return }
        Glibc.kill(pid, SIGKILL)
        _ = LabProcesses.waitForExit([pid], within: .seconds(2))
    }

    /// Starts member `index` again with its data directory (it rejoins the cluster); no wait.
    public func restart(_ index: Int) throws(LabError) {
        guard members[index].pid == nil else { return }
        try start(index)
    }

    /// Ends every member (SIGTERM, SIGKILL after 2 s) and removes the data directories. Idempotent.
    public func stop() {
        let pids = members.compactMap(\.pid).filter { LabProcesses.belongs($0, to: layout.etcdDirectory) }
        LabProcesses.stop(pids, grace: .seconds(2))
        for index in members.indices { members[index].pid = nil }
        try? FileManager.default.removeItem(atPath: layout.etcdDirectory)
    }

    /// The member the others follow now, if they agree (asked from the switch namespace).
    public func leader() -> Int? {
        let statuses = members.indices.map { members[$0].pid == nil ? nil : status($0) }
        guard let leader = statuses.compactMap({ $0?.leader }).first, leader != 0,
              statuses.allSatisfy({ $0 == nil || $0?.leader == leader })
        else { return nil }
        return statuses.firstIndex { $0?.member == leader }
    }

    /// Waits until the running members agree on a leader; throws with the logs' ends after `limit`.
    public func waitForLeader(within limit: Duration) throws(LabError) {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if leader() != nil { return }
            usleep(50_000)
        }
        let tails = members.indices.map { "--- \(members[$0].name)\n" + LabText.tail(of: log($0), lines: 5) }
        throw .timeout("the etcd members agreeing on a leader within \(LabText.duration(limit))\n" + tails.joined(separator: "\n"))
    }

    private func start(_ index: Int) throws(LabError) {
        let member = members[index]
        let cluster = members.map { "\($0.name)=http://\($0.address):2380" }.joined(separator: ",")
        let client = "http://\(member.address):2379"
        let peer = "http://\(member.address):2380"
        let pid = try LabSpawn.start(try LabShell.ipTool(), [
            "netns", "exec", layout.switchNamespace, etcd, "--name", member.name,
            "--data-dir", layout.etcdDirectory + "/" + member.name,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", cluster, "--initial-cluster-token", "floatip-\(layout.name)",
        ], log: log(index))
        members[index].pid = pid
    }

    /// This member's id and its leader's id from `/v3/maintenance/status`, asked from the switch
    /// namespace, or nil (no answer within 1 s).
    func status(_ index: Int) -> (member: UInt64, leader: UInt64)? {
        EtcdStatus.status(of: members[index].address, port: 2379, namespace: layout.switchNamespace)
    }
}
