import FloatIPCore
import FloatIPLinux
import FloatIPTestSupport
import Foundation
import Testing

/// floatip's VRRP speaker (`VRRPSpeaker`: the codec, the router machine, a raw socket) in one virtual
/// router with a real keepalived 2.2.7, each in its own namespace on one link: the better node is
/// master and holds the address, a clean stop (priority 0) hands over within the skew time, a return
/// preempts, and a keepalived killed with SIGKILL is replaced after the master-down interval.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct VRRPInteropTests {
    static let address = "198.18.6.100"

    /// A keepalived in `namespace` with one instance, started; its log and PID files in `scratch`.
    static func keepalived(
        _ binary: String, in namespace: String, scratch: ScratchDirectory, version: Int, priority: Int, interval: String,
        authentication: String = ""
    ) throws -> Process {
        let config = """
            global_defs { router_id kd }
            vrrp_instance web {
              state BACKUP
              interface v0
              version \(version)
              virtual_router_id 61
              priority \(priority)
              advert_int \(interval)
              \(authentication)
              virtual_ipaddress { \(address)/32 }
            }
            """
        try config.write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        return try ServerProcess.start(
            [binary, "-n", "-l", "-P", "-f", scratch.file("keepalived.conf"), "-p", scratch.file("k.pid"), "-r", scratch.file("vrrp.pid")],
            namespace: namespace, log: scratch.file("keepalived.log"))
    }

    /// Ends keepalived and its VRRP child, by PID.
    static func end(_ process: Process, scratch: ScratchDirectory, signal: Int32 = SIGTERM) {
        let child = (try? String(contentsOfFile: scratch.file("vrrp.pid"), encoding: .utf8)).flatMap {
            Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if signal == SIGKILL {
            if let child, child > 1 { kill(child, SIGKILL) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        } else {
            ServerProcess.end(process)
        }
        if let child, child > 1, kill(child, 0) == 0 { kill(child, SIGKILL) }
    }

    static func holds(_ network: TestNetwork, _ namespace: String, _ interface: String) -> Bool {
        ((try? network.ip(namespace, "-4", "-o", "addr", "show", "dev", interface)) ?? "").contains(address + "/32")
    }

    /// Polls every 5 ms until `condition` holds or `limit` passes; the time it took, or nil.
    static func wait(_ limit: Duration, _ condition: () -> Bool) -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < limit {
            if condition() { return clock.now - start }
            usleep(5_000)
        }
        return nil
    }

    @Test(arguments: [(3, "0.1", ""), (2, "1", "authentication { auth_type PASS\n auth_pass floatip1 }")])
    func floatipAndKeepalivedShareAVirtualRouter(version: Int, interval: String, authentication: String) throws {
        guard let binary = ExternalTool.find("keepalived", for: "VRRP interop", package: "keepalived") else { return }
        let network = TestNetwork()
        let (a, b) = try network.vethPair()
        try network.ip(a, "addr", "add", "198.18.6.1/24", "dev", "v0")
        try network.ip(b, "addr", "add", "198.18.6.2/24", "dev", "v1")
        let scratch = try ScratchDirectory("floatip-vrrp-interop")
        defer { scratch.remove() }
        let advert: Duration = version == 3 ? .milliseconds(100) : .seconds(1)
        let config = VRRPRouterConfig(
            version: UInt8(version), vrid: 61, priority: 200, advertInterval: advert, ownAddress: .ipv4(198, 18, 6, 2),
            addresses: [.ipv4(198, 18, 6, 100)],
            authentication: authentication.isEmpty ? .none : .password(Array("floatip1".utf8)))
        let ip = { @Sendable (verb: String) in
            _ = try? command(["ip", "-n", b, "addr", verb, "\(Self.address)/32", "dev", "v1"])
        }
        func speaker() throws -> VRRPSpeaker {
            try VRRPSpeaker(
                config: config, socket: VRRPSocket(interface: "v1", source: .ipv4(198, 18, 6, 2), namespace: b),
                claim: { ip("add") }, release: { ip("del") })
        }
        var daemon = try Self.keepalived(binary, in: a, scratch: scratch, version: version, priority: 100, interval: interval, authentication: authentication)
        defer { Self.end(daemon, scratch: scratch) }
        let down = VRRPTimers.masterDown(priority: 100, interval: advert, version: UInt8(version))
        let log = { "keepalived:\n\(ServerProcess.tail(scratch.file("keepalived.log")))" }

        // keepalived alone becomes master after its master-down interval.
        #expect(Self.wait(down * 2) { Self.holds(network, a, "v0") } != nil, "\(log())")
        // floatip, better, preempts: keepalived releases, floatip holds.
        var floatip: VRRPSpeaker? = try speaker()
        let preempted = Self.wait(down * 2) { Self.holds(network, b, "v1") && !Self.holds(network, a, "v0") }
        #expect(preempted != nil, "\(log())")
        #expect(floatip?.role == .master)
        #expect(floatip?.drops.isEmpty == true, "\(floatip?.drops ?? [:])")
        // Stays so: keepalived accepts floatip's advertisements (it would take over after 3.6 intervals otherwise).
        usleep(UInt32(down.nanoseconds / 1000) * 2)
        #expect(Self.holds(network, b, "v1") && !Self.holds(network, a, "v0"), "\(log())")

        // A clean stop sends priority 0: keepalived takes over within its skew time (plus scheduling).
        floatip?.stop()
        floatip = nil
        let handover = Self.wait(down) { Self.holds(network, a, "v0") }
        #expect(handover != nil, "\(log())")
        #expect(!Self.holds(network, b, "v1"))

        // keepalived killed: floatip (started again meanwhile, as backup) takes over after its master-down interval.
        floatip = try speaker()
        #expect(Self.wait(down * 2) { Self.holds(network, b, "v1") && !Self.holds(network, a, "v0") } != nil, "\(log())")
        floatip?.stop()
        floatip = nil
        #expect(Self.wait(down) { Self.holds(network, a, "v0") } != nil, "\(log())")
        let backup = try speaker()
        defer { backup.stop() }
        usleep(UInt32(advert.nanoseconds / 1000) / 2)
        Self.end(daemon, scratch: scratch, signal: SIGKILL)
        _ = try? network.ip(a, "addr", "del", "\(Self.address)/32", "dev", "v0")
        daemon = try Self.keepalived(binary, in: a, scratch: scratch, version: version, priority: 100, interval: interval, authentication: authentication)
        let takeover = Self.wait(down * 3) { Self.holds(network, b, "v1") }
        #expect(takeover != nil, "\(log())")
        print("VRRP v\(version) with keepalived: preempt \(preempted.map { "\($0)" } ?? "-"), handover on priority 0 \(handover.map { "\($0)" } ?? "-"), takeover after SIGKILL \(takeover.map { "\($0)" } ?? "-")")
    }
}
