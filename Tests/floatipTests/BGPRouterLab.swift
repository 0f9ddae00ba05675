import FloatIPLab
import FloatIPTestSupport
import Foundation
import Glibc

/// `AgentLab`'s two agents with the `bgp` mover, a real BIRD 2 on the switch (198.18.0.254, AS
/// 65000) installing its best route in its forwarding table, each node's responder (UDP 7480,
/// answering with its name on any of its addresses, the floating one on `lo` too), and a client
/// one hop behind the router (198.18.9.2) whose only route is the floating address via it.
final class BGPRouterLab {
    static let router = "198.18.0.254"
    let lab: AgentLab
    /// The router: BIRD, unless the lab was made with `frr`.
    let bird: BIRDRouter!
    let frr: FRRRouter?
    let client: String
    private var responders: [Process] = []
    /// Where the password file lives.
    private let scratch: URL

    static let router6 = "2001:2::fe"
    /// The floating addresses: outside every link's subnet, as in a routed network (inside one,
    /// the router would also find the holder by ARP, and the test would not show BGP at work).
    static let vip = "198.18.100.100"
    static let vip6 = "2001:2:100::100"

    /// `bfd`: BFD (3 × 100 ms) between each node and the router, tied to the BGP sessions.
    /// `iBGP`: iBGP (everyone in AS 65000) instead of eBGP (the nodes in 65001).
    /// `ipv6`: the nodes, the router and the client get IPv6 addresses too, and the group `vip6`.
    /// `passwords`: TCP-MD5, the nodes' password and the router's.
    /// `drain`: the mover's `drain` option, as written. `anycast`: `mode: anycast`. `frr`: FRR
    /// (zebra, bgpd, bfdd) is the router instead of BIRD.
    init(holdTime: Int = 3, bfd: Bool = false, iBGP: Bool = false, ipv6: Bool = false,
         passwords: (node: String, router: String)? = nil, drain: String? = nil, anycast: Bool = false, frr useFRR: Bool = false) throws {
        let nodeASN: UInt32 = iBGP ? 65000 : 65001
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-bgp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        scratch = directory
        let passwordFile = directory.appendingPathComponent("bgp.password")
        if let passwords {
            try "\(passwords.node)\n".write(to: passwordFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile.path)
        }
        lab = try AgentLab(mover: { number in
            "{ kind: bgp, local_asn: \(nodeASN), peer_asn: 65000, peers: [\(Self.router)], hold_time: \(holdTime)s"
                + (bfd ? ", bfd: true" : "") + (ipv6 ? ", next_hop: [\"2001:2::\(number)\"]" : "")
                + (passwords != nil ? ", password_file: \(passwordFile.path)" : "") + (drain.map { ", drain: \($0)" } ?? "")
                + (anycast ? ", mode: anycast" : "") + " }"
        }, moverAddresses: ["\(Self.vip)/32"] + (ipv6 ? ["\(Self.vip6)/128"] : []))
        let routerNamespace = lab.switchNamespace
        try lab.network.ip(routerNamespace, "addr", "add", "\(Self.router)/24", "dev", "br0")
        try lab.network.ip(routerNamespace, "link", "set", "br0", "up")
        _ = try command(["ip", "netns", "exec", routerNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        client = try lab.network.namespace("cl")
        try lab.network.link(client, "eth0", routerNamespace, "pc")
        try lab.network.ip(routerNamespace, "addr", "add", "198.18.9.1/24", "dev", "pc")
        try lab.network.ip(client, "addr", "add", "198.18.9.2/24", "dev", "eth0")
        try lab.network.ip(client, "route", "add", "\(Self.vip)/32", "via", "198.18.9.1")
        for node in 1...2 { try lab.network.ip(lab.namespace(node), "route", "add", "198.18.9.0/24", "via", Self.router) }
        if ipv6 {
            _ = try command(["ip", "netns", "exec", routerNamespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"])
            try lab.network.ip(routerNamespace, "-6", "addr", "add", "\(Self.router6)/64", "dev", "br0", "nodad")
            try lab.network.ip(routerNamespace, "-6", "addr", "add", "2001:2:9::1/64", "dev", "pc", "nodad")
            try lab.network.ip(client, "-6", "addr", "add", "2001:2:9::2/64", "dev", "eth0", "nodad")
            try lab.network.ip(client, "-6", "route", "add", "\(Self.vip6)/128", "via", "2001:2:9::1")
            for node in 1...2 {
                try lab.network.ip(lab.namespace(node), "-6", "addr", "add", "2001:2::\(node)/64", "dev", "eth0", "nodad")
                try lab.network.ip(lab.namespace(node), "-6", "route", "add", "2001:2:9::/64", "via", Self.router6)
            }
        }
        let peers: [(address: String, asn: UInt32)] = [("198.18.0.1", nodeASN), ("198.18.0.2", nodeASN)]
        if useFRR {
            let frr = try FRRRouter(namespace: routerNamespace, address: Self.router, asn: 65000, peers: peers, holdTime: holdTime, bfd: bfd)
            try frr.start()
            self.frr = frr
            bird = nil
        } else {
            let bird = try BIRDRouter(
                namespace: routerNamespace, address: Self.router, asn: 65000, peers: peers, holdTime: holdTime, password: passwords?.router,
                kernel: true, bfd: bfd)
            try bird.start()
            self.bird = bird
            frr = nil
        }
        for node in 1...2 {
            responders.append(try ServerProcess.start(
                [try CLITests.floatipBinary().path, "lab", "responder", "--node", "web\(node)", "--directory", lab.directory.path,
                 "--lifetime", "120"],
                namespace: lab.namespace(node), log: lab.directory.appendingPathComponent("responder\(node).log").path))
        }
    }

    deinit { end() }

    func end() {
        for responder in responders { ServerProcess.end(responder) }
        responders = []
        bird?.end()
        frr?.end()
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) node `node` as a stalled VM would be: its agent and its service.
    func freeze(_ node: Int, _ on: Bool) {
        lab.signal(node, on ? SIGSTOP : SIGCONT)
        kill(responders[node - 1].processIdentifier, on ? SIGSTOP : SIGCONT)
    }

    /// Starts both agents and waits (15 s at most) until the client is answered by web1.
    func startAndReachWeb1() async throws {
        try lab.start(1)
        try lab.start(2)
        let first = try await lab.wait(.seconds(15)) { self.answer() == "web1" }
        guard first != nil else {
            throw CommandError(arguments: ["the client reaching web1"], status: 1, stderr: "\(table())\n\(lab.log(1))\n\(lab.log(2))")
        }
    }

    /// BIRD's whole table, for failure messages.
    func table() -> String {
        if let frr { return ((try? frr.vtysh("show bgp ipv4 unicast")) ?? "") + "\n" + frr.kernelRoute(Self.vip) }
        return (try? bird.birdc("show", "route", "all")) ?? ""
    }

    /// Who answers the client at the floating address within 50 ms, if anyone.
    func answer() -> String? { try? LabClient.ask(from: client, address: Self.vip, timeout: .milliseconds(50)) }

    /// The nodes whose path to `vip` the router has (1, 2), best first.
    func paths() -> [Int] {
        let route = (try? bird.route("\(Self.vip)/32")) ?? ""
        return route.components(separatedBy: "via 198.18.0.").dropFirst().compactMap { Int($0.prefix(1)) }
    }

    /// Whether the client reaches `vip6` (one ping, 200 ms).
    func pings6() -> Bool {
        (try? command(["ip", "netns", "exec", client, "ping", "-6", "-c", "1", "-W", "0.2", Self.vip6])) != nil
    }

    /// Whether node `node` has the floating address on `lo`.
    func onLoopback(_ node: Int) -> Bool {
        ((try? lab.network.ip(lab.namespace(node), "addr", "show", "dev", "lo")) ?? "").contains("\(Self.vip)/32")
    }

    /// What the client saw while `body` ran and until `node` answered (at most `limit` after `body`):
    /// requests unanswered, and the longest time between two answers.
    func probe(until node: String, limit: Duration = .seconds(8), _ body: () async throws -> Void) async throws -> (failed: Int, gap: Duration, reached: Bool) {
        let box = ProbeBox()
        let client = client
        let thread = Thread { box.run(client: client) }
        thread.start()
        try await body()
        let clock = ContinuousClock()
        let end = clock.now + limit
        while clock.now < end, box.last != node { try await Task.sleep(for: .milliseconds(5)) }
        // A little longer: the old path must not come back.
        try await Task.sleep(for: .milliseconds(300))
        return box.stop()
    }
}

/// The client's probe loop on its own thread: one request every ~5 ms.
private final class ProbeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var failed = 0
    private var gap: Duration = .zero
    private var answered: String?
    private var finished = false

    var last: String? { lock.withLock { answered } }

    func run(client: String) {
        let clock = ContinuousClock()
        var previous = clock.now
        let end = clock.now + .seconds(60)
        while clock.now < end, !lock.withLock({ stopping }) {
            let answer = try? LabClient.ask(from: client, address: BGPRouterLab.vip, timeout: .milliseconds(50))
            let now = clock.now
            lock.withLock {
                if let answer {
                    gap = max(gap, now - previous)
                    answered = answer
                } else {
                    failed += 1
                }
            }
            if answer != nil { previous = now }
            usleep(5_000)
        }
        lock.withLock { finished = true }
    }

    func stop() -> (failed: Int, gap: Duration, reached: Bool) {
        lock.withLock { stopping = true }
        while !lock.withLock({ finished }) { usleep(1_000) }
        return lock.withLock { (failed, gap, answered != nil) }
    }
}
