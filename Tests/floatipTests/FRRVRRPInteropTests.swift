import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The real `floatip agent` with a `protocol: vrrp` group in one VRRPv3 IPv4 virtual router (VRID
/// 51, 100 ms) with FRR's vrrpd, a second implementation beside keepalived (docs/vrrp.md, "With
/// FRR's vrrpd"): web1 runs floatip, web2 zebra and vrrpd (`FRRVRRPRouter`), on one switch. Every
/// move is read from web1's eth0 and web2's VRRP macvlan; neither side may drop the other's
/// advertisements (floatip's `vrrpDropped`, vrrpd's debug log).
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct FRRVRRPInteropTests {
    static let advert: Duration = .milliseconds(100)
    static let purpose = "FRR VRRP interop"

    /// floatip (150) preempts FRR (100); a failing required check, maintenance and a clean stop
    /// hand the address to FRR (priority 0) and, but for the stop, back.
    @Test func floatipPreemptsFRRAndHandsOverToIt() async throws {
        guard let programs = FRRVRRPRouter.programs(for: Self.purpose) else { return }
        let lab = try AgentLab(nodes: 2)
        try Self.writeAgentConfig(lab, priority: 150)
        let frr = try FRRVRRPRouter(programs, namespace: lab.namespace(2), vrid: 51, priority: 100,
                                    intervalMilliseconds: 100, address: AgentLab.vip)
        defer { frr.end() }
        let log = { "agent:\n\(lab.log(1))\nvrrpd:\n\(ServerProcess.tail(frr.scratch.file("vrrpd.log"), lines: 30))" }
        let down = VRRPTimers.masterDown(priority: 100, interval: Self.advert, version: 3)
        func only(_ node: Int) throws -> Bool { try Self.holders(lab, frr) == [node] }

        // FRR alone is master; then floatip, better, preempts it.
        try frr.start()
        #expect(try await lab.wait(.seconds(10)) { try only(2) } != nil, "\(log())")
        try lab.start(1)
        let preempt = try await lab.wait(down * 3) { try only(1) }
        #expect(preempt != nil, "\(log())")
        let holding = try await Self.status(lab)
        #expect(holding["role"] as? String == "holder", "\(holding)")

        // The required check fails: priority 0, FRR takes over within its skew time.
        try FileManager.default.removeItem(at: lab.serviceFile(1))
        let fault = try await lab.wait(down * 2) { try only(2) }
        #expect(fault != nil, "\(log())")
        // Status names FRR as the holder once its advertisements as master arrive.
        var faulty = try await Self.status(lab)
        for _ in 0..<20 where faulty["holder"] == nil {
            try await Task.sleep(for: Self.advert / 2)
            faulty = try await Self.status(lab)
        }
        #expect(faulty["role"] as? String == "fault", "\(faulty)")
        #expect(faulty["holder"] as? String == "198.18.0.2 (VRRP)", "\(faulty)")
        try Data().write(to: lab.serviceFile(1))
        let back = try await lab.wait(down * 3) { try only(1) }
        #expect(back != nil, "\(log())")

        // Maintenance: the same hand-over, and back.
        let on = try await lab.floatip(1, ["maintenance", "on", "--config", lab.config(1)])
        #expect(on.status == 0, "\(on.stderr)")
        let maintenance = try await lab.wait(down * 2) { try only(2) }
        #expect(maintenance != nil, "\(log())")
        _ = try await lab.floatip(1, ["maintenance", "off", "--config", lab.config(1)])
        #expect(try await lab.wait(down * 3) { try only(1) } != nil, "\(log())")

        // Neither side dropped the other's advertisements.
        let dropped = try await Self.status(lab)["vrrpDropped"] as? [String: Any]
        #expect(dropped?.isEmpty == true, "\(dropped ?? [:])")
        #expect(frr.refused.isEmpty, "\(frr.refused.prefix(5))")

        // A clean stop (SIGTERM): priority 0, FRR holds; the agent exits 0 holding nothing.
        lab.signal(1, SIGTERM)
        let stop = try await lab.wait(down * 2) { try only(2) }
        #expect(stop != nil, "\(log())")
        #expect(try await lab.waitForExit(1) == 0, "\(log())")
        print("VRRP v3 agent (150) with FRR vrrpd (100): preempt \(Self.text(preempt)), fault → FRR \(Self.text(fault)), "
            + "check passes → agent \(Self.text(back)), maintenance → FRR \(Self.text(maintenance)), stop → FRR \(Self.text(stop))")
    }

    /// FRR (200) preempts floatip (100), the master until then; `vrrp 51 shutdown` and a
    /// SIGTERM to vrrpd hand the address to floatip (priority 0), `no vrrp 51 shutdown` takes it back.
    @Test func frrPreemptsTheAgentAndHandsOverToIt() async throws {
        guard let programs = FRRVRRPRouter.programs(for: Self.purpose) else { return }
        let lab = try AgentLab(nodes: 2)
        try Self.writeAgentConfig(lab, priority: 100)
        let frr = try FRRVRRPRouter(programs, namespace: lab.namespace(2), vrid: 51, priority: 200,
                                    intervalMilliseconds: 100, address: AgentLab.vip)
        defer { frr.end() }
        let log = { "agent:\n\(lab.log(1))\nvrrpd:\n\(ServerProcess.tail(frr.scratch.file("vrrpd.log"), lines: 30))" }
        let down = VRRPTimers.masterDown(priority: 200, interval: Self.advert, version: 3)
        func only(_ node: Int) throws -> Bool { try Self.holders(lab, frr) == [node] }

        // floatip alone is master; FRR starts and, better, preempts it (its start-up included).
        try lab.start(1)
        #expect(try await lab.wait(.seconds(5)) { try only(1) } != nil, "\(log())")
        let clock = ContinuousClock()
        let starting = clock.now
        try frr.start()
        let preempted = try await lab.wait(.seconds(10)) { try only(2) }
        let preempt = preempted.map { _ in clock.now - starting }
        #expect(preempt != nil, "\(log())")
        var backup = try await Self.status(lab)
        for _ in 0..<20 where (backup["reason"] as? String)?.contains("198.18.0.2 at priority 200") != true {
            try await Task.sleep(for: Self.advert / 2)
            backup = try await Self.status(lab)
        }
        #expect(backup["role"] as? String == "standby", "\(backup)")
        #expect((backup["reason"] as? String)?.contains("master 198.18.0.2 at priority 200") == true, "\(backup)")

        // vrrpd's own shutdown of the virtual router: priority 0, floatip takes over within its skew time.
        try frr.configure("vrrp 51 shutdown")
        let shutdown = try await lab.wait(down * 3) { try only(1) }
        #expect(shutdown != nil, "\(log())")
        try frr.configure("no vrrp 51 shutdown")
        let again = try await lab.wait(down * 3) { try only(2) }
        #expect(again != nil, "\(log())")

        // SIGTERM to vrrpd: priority 0 again (and protodown), floatip holds.
        kill(frr.vrrpd?.processIdentifier ?? 0, SIGTERM)
        let stop = try await lab.wait(down * 3) { try only(1) }
        #expect(stop != nil, "\(log())")
        #expect(frr.vrrpdExit() == 0, "\(log())")
        let dropped = try await Self.status(lab)["vrrpDropped"] as? [String: Any]
        #expect(dropped?.isEmpty == true, "\(dropped ?? [:])")
        #expect(frr.refused.isEmpty, "\(frr.refused.prefix(5))")
        print("VRRP v3 FRR vrrpd (200) with agent (100): FRR start → FRR preempts \(Self.text(preempt)), "
            + "vrrp shutdown → agent \(Self.text(shutdown)), no shutdown → FRR \(Self.text(again)), "
            + "vrrpd SIGTERM → agent \(Self.text(stop))")
    }

    /// FRR computes the version 3 IPv4 checksum over the pseudo-header (8.4 always; later versions
    /// by default, `checksum-with-ipv4-pseudoheader`). An agent told `v3_checksum: message` is not
    /// heard: vrrpd refuses each advertisement and both sides hold the address.
    @Test func frrRefusesTheMessageOnlyChecksum() async throws {
        guard let programs = FRRVRRPRouter.programs(for: Self.purpose) else { return }
        let lab = try AgentLab(nodes: 2)
        try Self.writeAgentConfig(lab, priority: 150, checksum: "message")
        let frr = try FRRVRRPRouter(programs, namespace: lab.namespace(2), vrid: 51, priority: 100,
                                    intervalMilliseconds: 100, address: AgentLab.vip)
        defer { frr.end() }
        let log = { "agent:\n\(lab.log(1))\nvrrpd:\n\(ServerProcess.tail(frr.scratch.file("vrrpd.log"), lines: 30))" }
        let down = VRRPTimers.masterDown(priority: 100, interval: Self.advert, version: 3)
        try frr.start()
        #expect(try await lab.wait(.seconds(10)) { try Self.holders(lab, frr) == [2] } != nil, "\(log())")
        try lab.start(1)
        #expect(try await lab.wait(down * 3) { try lab.holds(1) } != nil, "\(log())")
        // Several of FRR's master-down intervals later, FRR still holds too.
        try await Task.sleep(for: down * 3)
        #expect(try Self.holders(lab, frr) == [1, 2], "\(log())")
        #expect(frr.refused.contains { $0.contains("Bad VRRP checksum") }, "\(log())")
        // floatip hears FRR's (pseudo-header) advertisements and stays master, the better one.
        let dropped = try await Self.status(lab)["vrrpDropped"] as? [String: Any]
        #expect(dropped?.isEmpty == true, "\(dropped ?? [:])")
    }

    /// web1's agent config: a VRRP group on VRID 51 at 100 ms with `priority` (and `checksum` as
    /// `v3_checksum` if given), a required file check.
    static func writeAgentConfig(_ lab: AgentLab, priority: Int, checksum: String? = nil) throws {
        try """
            cluster: lab
            node: { name: web1, address: 198.18.0.1 }
            secret_file: \(lab.directory.appendingPathComponent("secret").path)
            groups:
              - name: web
                addresses: [\(AgentLab.vip)/32]
                interface: eth0
                priority: \(priority)
                protocol: vrrp
                vrrp: { vrid: 51, version: 3, advert_interval: 100ms\(checksum.map { ", v3_checksum: \($0)" } ?? "") }
            checks:
              - { name: service, kind: file, target: \(lab.serviceFile(1).path), interval: 100ms, timeout: 90ms, rise: 1, fall: 1 }
            api: { listen: off, socket: \(lab.apiSocket(1).path) }
            event_log: \(lab.eventLog(1).path)
            state_dir: \(lab.stateDirectory(1).path)
            """.write(toFile: lab.config(1), atomically: true, encoding: .utf8)
    }

    /// Who holds the address: 1 (the agent, on eth0), 2 (FRR, its macvlan up). Two holders count
    /// only when a second read confirms them (as `AgentLab.holders`).
    static func holders(_ lab: AgentLab, _ frr: FRRVRRPRouter) throws -> [Int] {
        func read() throws -> [Int] {
            let agent = try lab.holds(1), router = try frr.holds()
            return (agent ? [1] : []) + (router ? [2] : [])
        }
        let first = try read()
        guard first.count > 1 else { return first }
        let again = Set(try read())
        return first.filter(again.contains)
    }

    /// The agent's one group, from `floatip status --json`.
    static func status(_ lab: AgentLab) async throws -> [String: Any] {
        let run = try await lab.floatip(1, ["status", "--json", "--config", lab.config(1)])
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return ((json?["groups"] as? [[String: Any]])?.first) ?? [:]
    }

    static func text(_ duration: Duration?) -> String { duration.map { "\($0)" } ?? "-" }
}
