import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The baseline for docs/vrrp.md's tables: the same moves as `VRRPAgentTests`, with keepalived on
/// both nodes (web1 at priority 150 in place of the agent, web2 at 100), the same settings, the same
/// switch and the same reading of both interfaces. Each run prints its times; it fails only when
/// a move does not happen.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct KeepalivedBaselineTests {
    @Test(arguments: [
        (3, "0.1", "", false), (3, "0.1", "", true), (2, "1", "auth_type PASS\n auth_pass floatip1", false),
    ])
    func twoKeepalivedNodesMoveTheAddress(version: Int, interval: String, authentication: String, unicast: Bool) async throws {
        guard let keepalived = ExternalTool.find("keepalived", for: "the keepalived baseline", package: "keepalived") else { return }
        let lab = try AgentLab(nodes: 2)
        let advert: Duration = version == 3 ? .milliseconds(100) : .seconds(1)
        func config(node: Int, priority: Int) -> String {
            let peer = 3 - node
            return """
                global_defs { router_id web\(node) }
                vrrp_instance web {
                  state BACKUP
                  interface eth0
                  version \(version)
                  virtual_router_id 51
                  priority \(priority)
                  advert_int \(interval)
                  \(authentication.isEmpty ? "" : "authentication { \(authentication) }")
                  \(unicast ? "unicast_src_ip 198.18.0.\(node)\n  unicast_peer { 198.18.0.\(peer) }" : "")
                  virtual_ipaddress { \(AgentLab.vip)/32 }
                }
                """
        }
        let scratch1 = try ScratchDirectory("floatip-keepalived-web1")
        let scratch2 = try ScratchDirectory("floatip-keepalived-web2")
        defer {
            scratch1.remove()
            scratch2.remove()
        }
        try config(node: 1, priority: 150).write(toFile: scratch1.file("keepalived.conf"), atomically: true, encoding: .utf8)
        try config(node: 2, priority: 100).write(toFile: scratch2.file("keepalived.conf"), atomically: true, encoding: .utf8)
        let second = try VRRPKeepalived.start(keepalived, in: lab.namespace(2), scratch: scratch2)
        defer { VRRPKeepalived.end(second, scratch: scratch2) }
        let down = VRRPTimers.masterDown(priority: 100, interval: advert, version: UInt8(version))
        func only(_ node: Int) throws -> Bool { try lab.holders() == [node] }
        let log = { "web1:\n\(ServerProcess.tail(scratch1.file("keepalived.log")))\nweb2:\n\(ServerProcess.tail(scratch2.file("keepalived.log")))" }

        #expect(try await lab.wait(down * 3) { try only(2) } != nil, "\(log())")
        var first: Process? = try VRRPKeepalived.start(keepalived, in: lab.namespace(1), scratch: scratch1)
        defer { first.map { VRRPKeepalived.end($0, scratch: scratch1) } }
        let preempt = try await lab.wait(down * 3) { try only(1) }
        #expect(preempt != nil, "\(log())")
        // A clean stop: keepalived's SIGTERM advertises priority 0.
        let clock = ContinuousClock()
        let stopped = clock.now
        if let process = first { kill(process.processIdentifier, SIGTERM) }
        let stop = try await lab.wait(down * 2) { try only(2) }.map { _ in clock.now - stopped }
        #expect(stop != nil, "\(log())")
        first.map { VRRPKeepalived.end($0, scratch: scratch1) }
        first = nil
        print("VRRP v\(version)\(unicast ? " unicast" : "") keepalived with keepalived: preempt \(preempt.map { "\($0)" } ?? "-"), "
            + "stop → the other \(stop.map { "\($0)" } ?? "-")")
    }
}
