import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The real `floatip agent` and a real keepalived 2.2.7 in one IPv6 virtual router over unicast
/// (keepalived's `unicast_peer` with IPv6 addresses; docs/vrrp.md, "Unicast"): web1 runs floatip
/// (priority 150), web2 keepalived (100 below it, or 200 above it), each listing the other as its
/// peer, keepalived with `check_unicast_src`. The address moves on preemption and on kill -9 of the
/// master, read from both nodes' interfaces; neither side drops the other's advertisements.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct VRRPAgentIPv6UnicastTests {
    /// `global`: both advertise from their global addresses (floatip's node.address, keepalived's
    /// `unicast_src_ip`); otherwise from their link-local ones (keepalived's default, floatip's when
    /// node.address is IPv4), each peer being the other's link-local address.
    @Test(arguments: [(true, true), (false, true), (true, false)])
    func theAgentJoinsAnIPv6UnicastVirtualRouter(floatipMaster: Bool, global: Bool) async throws {
        guard let keepalived = ExternalTool.find("keepalived", for: "VRRP agent interop over IPv6 unicast", package: "keepalived") else { return }
        let lab = try AgentLab(nodes: 2)
        let vip = "2001:2::100"
        var linkLocal: [Int: String] = [:]
        for node in 1...2 {
            try lab.network.ip(lab.namespace(node), "-6", "addr", "add", "2001:2::\(node)/64", "dev", "eth0", "nodad")
            // Link-local addresses must be usable (not tentative) before either side binds to them.
            linkLocal[node] = try await VRRPAgentTests.usableLinkLocal(lab, node)
            #expect(linkLocal[node] != nil, "web\(node)'s link-local address stays tentative")
        }
        let own = global ? "2001:2::1" : "198.18.0.1"
        let peer = global ? "2001:2::2" : linkLocal[2] ?? ""
        try VRRPAgentTests.config(lab, name: "web6", address: "\(vip)/128", vrrp: "vrid: 61, version: 3, advert_interval: 100ms, unicast_peers: [\(peer)]")
            .replacingOccurrences(of: "address: 198.18.0.1 }", with: "address: \(own) }")
            .write(toFile: lab.config(1), atomically: true, encoding: .utf8)
        let scratch = try ScratchDirectory("floatip-vrrp-agent6u")
        defer { scratch.remove() }
        try """
            global_defs { router_id web2 }
            vrrp_instance web6 {
              state BACKUP
              interface eth0
              version 3
              virtual_router_id 61
              priority \(floatipMaster ? 100 : 200)
              advert_int 0.1
              \(global ? "unicast_src_ip 2001:2::2" : "")
              unicast_peer { \(global ? "2001:2::1" : linkLocal[1] ?? "") }
              check_unicast_src
              virtual_ipaddress { \(vip)/128 }
            }
            """.write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        var daemon: Process?
        defer { if let daemon { VRRPKeepalived.end(daemon, scratch: scratch) } }
        let log = { "agent:\n\(lab.log(1))\nkeepalived:\n\(ServerProcess.tail(scratch.file("keepalived.log")))" }
        func holds(_ node: Int) throws -> Bool {
            try lab.network.ip(lab.namespace(node), "-6", "addr", "show", "dev", "eth0").contains("\(vip)/128")
        }
        func only(_ node: Int) throws -> Bool { try holds(node) && !holds(3 - node) }
        func dropped() async throws -> [String: Int]? {
            let run = try await lab.floatip(1, ["status", "--json", "--config", lab.config(1)])
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return ((json?["groups"] as? [[String: Any]])?.first)?["vrrpDropped"] as? [String: Int]
        }
        let down = VRRPTimers.masterDown(priority: floatipMaster ? 100 : 150, interval: .milliseconds(100), version: 3)

        // The first side alone becomes master; the better one, started second, preempts it.
        let first = floatipMaster ? 2 : 1
        if floatipMaster {
            daemon = try VRRPKeepalived.start(keepalived, in: lab.namespace(2), scratch: scratch)
        } else {
            try lab.start(1)
        }
        #expect(try await lab.wait(.seconds(5)) { try only(first) } != nil, "\(log())")
        if floatipMaster {
            try lab.start(1)
        } else {
            daemon = try VRRPKeepalived.start(keepalived, in: lab.namespace(2), scratch: scratch)
        }
        let preempt = try await lab.wait(.seconds(5)) { try only(3 - first) }
        #expect(preempt != nil, "\(log())")
        // floatip heard keepalived's advertisements (hop limit 64, from the peer) and dropped none;
        // keepalived took floatip's (its source checked against its unicast_peer list).
        #expect(try await dropped() == [:], "\(log())")
        let keepalivedLog = ServerProcess.tail(scratch.file("keepalived.log"))
        #expect(!keepalivedLog.contains("not a unicast peer") && !keepalivedLog.contains("Expected"), "\(keepalivedLog)")

        // kill -9 of the master: the backup takes over within its Master_Down_Interval.
        let master = 3 - first
        if master == 1 {
            lab.signal(1, SIGKILL)
        } else if let process = daemon {
            let child = (try? String(contentsOfFile: scratch.file("vrrp.pid"), encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            kill(process.processIdentifier, SIGKILL)
            if let child, child > 1 { kill(child, SIGKILL) }
        }
        let takeover = try await lab.wait(down * 3) { try holds(first) }
        #expect(takeover != nil, "\(log())")
        print("VRRP v3 IPv6 unicast (\(global ? "global" : "link-local") sources), \(floatipMaster ? "floatip" : "keepalived") master: "
            + "preempt \(preempt.map { "\($0)" } ?? "-"), kill -9 → \(floatipMaster ? "keepalived" : "floatip") "
            + "\(takeover.map { "\($0)" } ?? "-") (Master_Down_Interval \(down))")
    }
}
