import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The real `floatip agent` with a `protocol: vrrp` group in one virtual router with a real keepalived
/// 2.2.7 (docs/vrrp.md, "In the agent"): web1 runs floatip (priority 150), web2 keepalived (priority
/// 100), on one switch. floatip preempts; a required check failing and maintenance hand the address
/// to keepalived (priority 0) and back; the CLI's status shows the VRRP master; a switchover is
/// refused; a clean stop hands over. Each move is read from both nodes' interfaces.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct VRRPAgentTests {
    /// Version 3 at 100 ms over multicast and over unicast (keepalived's `unicast_peer`), version 2 at 1 s with PASS.
    @Test(arguments: [
        (3, "0.1", "", false), (3, "0.1", "", true), (2, "1", "auth_type PASS\n auth_pass floatip1", false),
    ])
    func theAgentJoinsAKeepalivedVirtualRouter(version: Int, interval: String, authentication: String, unicast: Bool) async throws {
        guard let keepalived = ExternalTool.find("keepalived", for: "VRRP agent interop", package: "keepalived") else { return }
        let lab = try AgentLab(nodes: 2)
        let vip = AgentLab.vip
        let advert: Duration = version == 3 ? .milliseconds(100) : .seconds(1)
        let password = lab.directory.appendingPathComponent("vrrp-pass")
        try Data("floatip1\n".utf8).write(to: password)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: password.path)
        let settings = "vrid: 51, version: \(version), advert_interval: \(version == 3 ? "100ms" : "1s")"
            + (authentication.isEmpty ? "" : ", auth_pass_file: \(password.path)") + (unicast ? ", unicast_peers: [198.18.0.2]" : "")
        let config = Self.config(lab, name: "web", address: "\(vip)/32", vrrp: settings)
        try config.write(toFile: lab.config(1), atomically: true, encoding: .utf8)
        let scratch = try ScratchDirectory("floatip-vrrp-agent")
        defer { scratch.remove() }
        try """
            global_defs { router_id web2 }
            vrrp_instance web {
              state BACKUP
              interface eth0
              version \(version)
              virtual_router_id 51
              priority 100
              advert_int \(interval)
              \(authentication.isEmpty ? "" : "authentication { \(authentication) }")
              \(unicast ? "unicast_src_ip 198.18.0.2\n  unicast_peer { 198.18.0.1 }" : "")
              virtual_ipaddress { \(vip)/32 }
            }
            vrrp_instance other {
              state BACKUP
              interface eth0
              version \(version)
              virtual_router_id 52
              priority 100
              advert_int \(interval)
              virtual_ipaddress { 198.18.0.101/32 }
            }
            """.write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        let daemon = try VRRPKeepalived.start(keepalived, in: lab.namespace(2), scratch: scratch)
        defer { VRRPKeepalived.end(daemon, scratch: scratch) }
        let log = { "agent:\n\(lab.log(1))\nkeepalived:\n\(ServerProcess.tail(scratch.file("keepalived.log")))" }
        let down = VRRPTimers.masterDown(priority: 100, interval: advert, version: UInt8(version))
        func only(_ node: Int) throws -> Bool { try lab.holders() == [node] }
        func status() async throws -> [String: Any] {
            let run = try await lab.floatip(1, ["status", "--json", "--config", lab.config(1)])
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return ((json?["groups"] as? [[String: Any]])?.first) ?? [:]
        }

        // keepalived alone is master; then floatip, better, preempts it.
        #expect(try await lab.wait(down * 3) { try only(2) } != nil, "\(log())")
        try lab.start(1)
        let preempt = try await lab.wait(down * 3) { try only(1) }
        #expect(preempt != nil, "\(log())")
        let holding = try await status()
        #expect(holding["role"] as? String == "holder", "\(holding)")
        #expect((holding["reason"] as? String)?.hasPrefix("VRRP master") == true, "\(holding)")
        // keepalived's other virtual router (VRID 52) on the link: counted apart in /metrics, never acted on.
        let socket = lab.apiSocket(1).path
        let metrics = try await offPool { try ExternalTool.run(["/usr/bin/curl", "-s", "--unix-socket", socket, "http://floatip/metrics"]) }
        #expect(metrics.stdout.contains(#"floatip_vrrp_dropped_total{group="web",reason="other_vrid"}"#), "\(metrics.stdout)")

        // The required check fails: fault, priority 0, keepalived takes over within its skew time.
        try FileManager.default.removeItem(at: lab.serviceFile(1))
        let fault = try await lab.wait(down * 2) { try only(2) }
        #expect(fault != nil, "\(log())")
        // Status names keepalived as the holder once its advertisements as master arrive.
        var faulty = try await status()
        for _ in 0..<20 where faulty["holder"] == nil {
            try await Task.sleep(for: advert / 2)
            faulty = try await status()
        }
        #expect(faulty["role"] as? String == "fault", "\(faulty)")
        #expect(faulty["holder"] as? String == "198.18.0.2 (VRRP)", "\(faulty)")
        try Data().write(to: lab.serviceFile(1))
        #expect(try await lab.wait(down * 3) { try only(1) } != nil, "\(log())")

        // Maintenance: the same hand-over, and back; a switchover is refused with why.
        let on = try await lab.floatip(1, ["maintenance", "on", "--config", lab.config(1)])
        #expect(on.status == 0, "\(on.stderr)")
        let maintenance = try await lab.wait(down * 2) { try only(2) }
        #expect(maintenance != nil, "\(log())")
        let switchover = try await lab.floatip(1, ["switchover", "web", "--config", lab.config(1)])
        #expect(switchover.status != 0 && switchover.stderr.contains("VRRP"), "\(switchover.stderr)")
        _ = try await lab.floatip(1, ["maintenance", "off", "--config", lab.config(1)])
        #expect(try await lab.wait(down * 3) { try only(1) } != nil, "\(log())")

        // A clean stop (SIGTERM): priority 0, keepalived holds; the agent exits 0 holding nothing.
        lab.signal(1, SIGTERM)
        let stop = try await lab.wait(down * 2) { try only(2) }
        #expect(stop != nil, "\(log())")
        #expect(try await lab.waitForExit(1) == 0, "\(log())")
        #expect(try !lab.holds(1))
        let roles = lab.events(1).filter { $0["event"] as? String == "transition" }.compactMap { $0["to"] as? String }
        #expect(roles.contains("holder") && roles.last == "maintenance", "\(roles)")
        print("VRRP v\(version)\(unicast ? " unicast" : "") agent with keepalived: preempt \(preempt.map { "\($0)" } ?? "-"), fault → keepalived "
            + "\(fault.map { "\($0)" } ?? "-"), maintenance → keepalived \(maintenance.map { "\($0)" } ?? "-"), "
            + "stop → keepalived \(stop.map { "\($0)" } ?? "-")")
    }
}

extension VRRPAgentTests {
    /// Node `node`'s link-local address on eth0 once it is usable (not tentative), waiting up to 5 s; nil if it never is.
    static func usableLinkLocal(_ lab: AgentLab, _ node: Int) async throws -> String? {
        var address: String?
        _ = try await lab.wait(.seconds(5)) {
            let text = try lab.network.ip(lab.namespace(node), "-6", "addr", "show", "dev", "eth0", "scope", "link")
            guard !text.contains("tentative"), let range = text.range(of: #"fe80::[0-9a-f:]+"#, options: .regularExpression) else { return false }
            address = String(text[range])
            return true
        }
        return address
    }

    /// Version 3 over IPv6 (ff02::12, from the link-local addresses): keepalived alone is master, the
    /// agent preempts it, and hands back on SIGTERM; read from both nodes' interfaces.
    @Test func theAgentJoinsAnIPv6VirtualRouter() async throws {
        guard let keepalived = ExternalTool.find("keepalived", for: "VRRP agent interop over IPv6", package: "keepalived") else { return }
        let lab = try AgentLab(nodes: 2)
        let vip = "2001:2::100"
        // The link-local addresses must be usable (not tentative) before either side binds to them.
        for node in 1...2 {
            #expect(try await Self.usableLinkLocal(lab, node) != nil, "web\(node)'s link-local address stays tentative")
        }
        try Self.config(lab, name: "web6", address: "\(vip)/128", vrrp: "vrid: 61, version: 3, advert_interval: 100ms")
            .write(toFile: lab.config(1), atomically: true, encoding: .utf8)
        let scratch = try ScratchDirectory("floatip-vrrp-agent6")
        defer { scratch.remove() }
        try """
            global_defs { router_id web2 }
            vrrp_instance web6 {
              state BACKUP
              interface eth0
              version 3
              virtual_router_id 61
              priority 100
              advert_int 0.1
              virtual_ipaddress { \(vip)/128 }
            }
            """.write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        let daemon = try VRRPKeepalived.start(keepalived, in: lab.namespace(2), scratch: scratch)
        defer { VRRPKeepalived.end(daemon, scratch: scratch) }
        let log = { "agent:\n\(lab.log(1))\nkeepalived:\n\(ServerProcess.tail(scratch.file("keepalived.log")))" }
        func holds(_ node: Int) throws -> Bool {
            try lab.network.ip(lab.namespace(node), "-6", "addr", "show", "dev", "eth0").contains("\(vip)/128")
        }
        func only(_ node: Int) throws -> Bool { try holds(node) && !holds(3 - node) }
        let down = VRRPTimers.masterDown(priority: 100, interval: .milliseconds(100), version: 3)

        #expect(try await lab.wait(down * 3) { try only(2) } != nil, "\(log())")
        try lab.start(1)
        let preempt = try await lab.wait(down * 3) { try only(1) }
        #expect(preempt != nil, "\(log())")
        let run = try await lab.floatip(1, ["status", "--json", "--config", lab.config(1)])
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let group = (json?["groups"] as? [[String: Any]])?.first ?? [:]
        #expect((group["reason"] as? String)?.hasPrefix("VRRP master") == true, "\(run.stdout)")
        // keepalived's advertisements were heard and accepted (hop limit 255 from the ancillary data).
        #expect((group["vrrpDropped"] as? [String: Int]) == [:], "\(run.stdout)")
        lab.signal(1, SIGTERM)
        let stop = try await lab.wait(down * 2) { try only(2) }
        #expect(stop != nil, "\(log())")
        #expect(try await lab.waitForExit(1) == 0, "\(log())")
        print("VRRP v3 IPv6 agent with keepalived: preempt \(preempt.map { "\($0)" } ?? "-"), stop → keepalived \(stop.map { "\($0)" } ?? "-")")
    }
}

extension VRRPAgentTests {
    /// web1's config: one VRRP group `name` with `address` on eth0 at priority 150 (`vrrp` the flow
    /// mapping's settings), the required `service` check, the lab's API socket, event log and state.
    static func config(_ lab: AgentLab, name: String, address: String, vrrp: String) -> String {
        """
        cluster: lab
        node: { name: web1, address: 198.18.0.1 }
        secret_file: \(lab.directory.appendingPathComponent("secret").path)
        groups:
          - name: \(name)
            addresses: [\(address)]
            interface: eth0
            priority: 150
            protocol: vrrp
            vrrp: { \(vrrp) }
        checks:
          - { name: service, kind: file, target: \(lab.serviceFile(1).path), interval: 100ms, timeout: 90ms, rise: 1, fall: 1 }
        api: { listen: off, socket: \(lab.apiSocket(1).path) }
        event_log: \(lab.eventLog(1).path)
        state_dir: \(lab.stateDirectory(1).path)
        """
    }
}

/// keepalived for these tests: its files in a scratch directory.
enum VRRPKeepalived {
    /// Starts keepalived (VRRP only, in the foreground) in `namespace` with `scratch`'s keepalived.conf.
    static func start(_ binary: String, in namespace: String, scratch: ScratchDirectory) throws -> Process {
        try ServerProcess.start(
            [binary, "-n", "-l", "-P", "-f", scratch.file("keepalived.conf"), "-p", scratch.file("k.pid"),
             "-r", scratch.file("vrrp.pid")],
            namespace: namespace, log: scratch.file("keepalived.log"))
    }

    /// Ends keepalived and its VRRP child, by PID (the child's PID from its file).
    static func end(_ process: Process, scratch: ScratchDirectory) {
        let child = (try? String(contentsOfFile: scratch.file("vrrp.pid"), encoding: .utf8)).flatMap {
            Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        ServerProcess.end(process)
        if let child, child > 1, kill(child, 0) == 0 { kill(child, SIGKILL) }
    }
}
