import FloatIPCore
import FloatIPLinux
import Foundation
import Glibc
import Testing

/// Two real agents with `track:` (docs/pairs.md): a gateway address on the switch (198.18.0.254), or a
/// `floatip witness` in a namespace of its own (198.18.0.9). Cutting one node off at the switch (it loses
/// its peer and the target at once) leaves exactly one holder — the node that reaches the target — with no sample (every
/// 5 ms) of two holders; the cut-off node logs why it does not hold. With both nodes reaching the target,
/// a normal failover (kill -9) still works.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct TrackEndToEndTests {
    /// Appends `track` (flow YAML) to both nodes' configs.
    static func addTrack(_ lab: AgentLab, _ track: String) throws {
        for node in 1...2 {
            let text = try String(contentsOfFile: lab.config(node), encoding: .utf8)
            try (text + "\ntrack: \(track)\n").write(toFile: lab.config(node), atomically: true, encoding: .utf8)
        }
    }

    /// Cuts `node`'s cable, as it were: at the switch, nothing from or to its port passes (the bridge's
    /// forward and input hooks drop it, in one nft transaction), so the node loses its peer, the gateway on
    /// the bridge and the witness at once, silently: its sends succeed and no answer comes.
    static func isolate(_ lab: AgentLab, _ node: Int) throws {
        try lab.network.exec(
            lab.switchNamespace, "nft",
            "add table bridge floatiptrack; "
                + "add chain bridge floatiptrack passing { type filter hook forward priority 0; }; "
                + "add chain bridge floatiptrack arriving { type filter hook input priority 0; }; "
                + "add rule bridge floatiptrack passing iifname p\(node) drop; "
                + "add rule bridge floatiptrack passing oifname p\(node) drop; "
                + "add rule bridge floatiptrack arriving iifname p\(node) drop")
    }

    /// Cuts web1, the holder, off; expects web2 to take over with no sample of two holders, and web1 to have
    /// released before web2's dead interval (300 ms) ended. Prints the times.
    static func cutTheHolderOff(_ lab: AgentLab, _ watch: HolderWatch, target: String) async throws {
        let cut = ContinuousClock.now  // before the nft transaction: the times below are upper bounds
        try isolate(lab, 1)
        let moved = try await watch.until(.seconds(5)) { $0 == [2] }.map { _ in ContinuousClock.now - cut }
        #expect(moved != nil, "web2 never took over\n\(lab.log(1))\n\(lab.log(2))")
        let released = (watch.lastHeld[1] ?? cut) - cut
        _ = try await watch.until(.seconds(1)) { _ in false }
        print("track e2e (\(target)): web1 cut off from web2 and \(target) → released after "
            + "\(released.shortDescription); web2 holds after \((moved ?? .zero).shortDescription); "
            + "\(watch.samples) samples, \(watch.doubleHeld) with two holders")
        #expect(watch.doubleHeld == 0, "never two holders")
        #expect(try lab.holders() == [2], "web1 stays released while cut off")
        #expect(released < .milliseconds(300), "released before web2's dead interval ended")
    }

    static func heal(_ lab: AgentLab) throws {
        try lab.network.exec(lab.switchNamespace, "nft", "delete", "table", "bridge", "floatiptrack")
    }

    @Test func theNodeCutOffFromTheGatewayReleasesAndThePeerTakesOver() async throws {
        let lab = try AgentLab()
        try lab.network.ip(lab.switchNamespace, "addr", "add", "198.18.0.254/24", "dev", "br0")
        try lab.network.ip(lab.switchNamespace, "link", "set", "br0", "up")
        try Self.addTrack(lab, "{ targets: [198.18.0.254] }")
        try lab.start(1)
        try lab.start(2)
        let watch = try NetlinkHolders(lab).watch()
        let first = try await watch.until(.seconds(10)) { $0 == [1] }
        #expect(first != nil, "web1 never held\n\(lab.log(1))")
        guard first != nil else { return }
        _ = try await watch.until(.seconds(1)) { _ in false }

        // web1, the holder, loses web2 and the gateway at once; web2 still reaches the gateway.
        try await Self.cutTheHolderOff(lab, watch, target: "the gateway")
        #expect(lab.log(1).contains("tracking: reachable → unreachable"), "\(lab.log(1))")
        #expect(lab.log(1).contains("holder → fault: tracking: no tracked address reachable"), "\(lab.log(1))")
        // The cut-off node's own API (its loopback still works) says why.
        let json = try await lab.floatip(1, ["status", "--config", lab.config(1), "--json"])
        let status = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let tracking = status?["tracking"] as? [String: Any]
        #expect(tracking?["verdict"] as? String == "unreachable", "\(json.stdout)")
        let targets = tracking?["targets"] as? [[String: Any]]
        #expect(targets?.first?["target"] as? String == "198.18.0.254" && targets?.first?["reachable"] as? Bool == false,
                "\(json.stdout)")
        let group = (status?["groups"] as? [[String: Any]])?.first
        #expect(group?["role"] as? String == "fault", "\(json.stdout)")
        #expect((group?["reason"] as? String)?.hasPrefix("tracking: no tracked address reachable") == true, "\(json.stdout)")
        let table = try await lab.floatip(1, ["status", "--config", lab.config(1)])
        #expect(table.stdout.contains("tracking: unreachable (no tracked address answers: every group is in fault)"),
                "\(table.stdout)")

        // Healed: web1 reaches the gateway again and takes its group back (failback, make-before-break).
        try Self.heal(lab)
        let back = try await lab.wait(.seconds(10)) { try lab.holders() == [1] }
        #expect(back != nil, "web1 never took the group back\n\(lab.log(1))")
        #expect(lab.log(1).contains("tracking: unreachable → reachable"), "\(lab.log(1))")

        // Both reach the gateway: kill -9 of the holder is a normal failover (web1's address lingers until its
        // lifetime ends, 3 s: a killed agent cannot remove it).
        _ = try await watch.until(.seconds(1)) { _ in false }
        lab.signal(1, SIGKILL)
        let failover = try await watch.until(.seconds(5)) { $0.contains(2) }
        #expect(failover != nil, "web2 never took over from the killed web1\n\(lab.log(2))")
        #expect(failover.map { $0 < .seconds(1) } == true, "within the failover bound (330 ms) and some slack")
        print("track e2e (gateway): web1 killed → web2 holds after \((failover ?? .zero).shortDescription)")
    }

    @Test func aWitnessDecidesWhichNodeOfACutPairHolds() async throws {
        let lab = try AgentLab()
        let witnessHost = try lab.network.namespace("wt")
        try lab.network.link(witnessHost, "eth0", lab.switchNamespace, "pw")
        try lab.network.ip(lab.switchNamespace, "link", "set", "pw", "master", "br0")
        try lab.network.ip(witnessHost, "addr", "add", "198.18.0.9/24", "dev", "eth0")
        let witness = try WitnessProcess(lab: lab, namespace: witnessHost)
        defer { witness.stop() }
        try Self.addTrack(lab, "{ targets: [\"witness 198.18.0.9\"] }")
        try lab.start(1)
        try lab.start(2)
        let watch = try NetlinkHolders(lab).watch()
        let first = try await watch.until(.seconds(10)) { $0 == [1] }
        #expect(first != nil, "web1 never held\n\(lab.log(1))\n\(witness.log)")
        guard first != nil else { return }

        // The standby, web2, loses web1 and the witness: it must not claim.
        try Self.isolate(lab, 2)
        let claimed = try await watch.until(.seconds(2)) { $0.contains(2) }
        #expect(claimed == nil, "web2, cut off from the witness, claimed\n\(lab.log(2))")
        #expect(try lab.holders() == [1])
        #expect(lab.log(2).contains("tracking: reachable → unreachable"), "\(lab.log(2))")
        #expect(lab.log(2).contains("standby → fault: tracking: no tracked address reachable"), "\(lab.log(2))")

        // Healed, then the holder, web1, loses web2 and the witness: web2 takes over, web1 releases.
        try Self.heal(lab)
        _ = try await watch.until(.seconds(2)) { _ in false }
        #expect(try lab.holders() == [1])
        try await Self.cutTheHolderOff(lab, watch, target: "the witness")
        #expect(witness.log.contains("first probe from node web1"), "\(witness.log)")
        #expect(witness.log.contains("first probe from node web2"), "\(witness.log)")
    }
}

/// Which nodes hold the floating address, read over netlink (an `ip` process per sample takes longer
/// than the 5 ms between samples): the source of an `HolderWatch`.
final class NetlinkHolders {
    let sockets: [RouteNetlink]
    let vip: IPAddress?

    init(_ lab: AgentLab, vip: String = AgentLab.vip) throws {
        self.vip = IPAddress(vip)
        sockets = try (1...2).map { node throws in try RouteNetlink(namespace: lab.namespace(node)) }
    }

    func holders() throws -> [Int] {
        try sockets.indices.filter { index in try sockets[index].addresses().contains { $0.prefix.address == vip } }
            .map { $0 + 1 }
    }

    /// A watch that samples these holders every 5 ms.
    func watch() -> HolderWatch { HolderWatch(holders: holders) }
}

/// `floatip witness` in its own namespace, with the lab's secret; stopped by PID.
final class WitnessProcess {
    let process = Process()
    let logFile: URL

    init(lab: AgentLab, namespace: String) throws {
        logFile = lab.directory.appendingPathComponent("witness.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ip", "netns", "exec", namespace, try CLITests.floatipBinary().path, "witness", "--listen", "198.18.0.9",
            "--cluster", "lab", "--secret-file", lab.directory.appendingPathComponent("secret").path,
        ]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
