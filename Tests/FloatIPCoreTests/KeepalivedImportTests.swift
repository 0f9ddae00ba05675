import FloatIPCore
import Testing

/// `KeepalivedImport` (`floatip import keepalived --native`): keepalived's semantics carried into a
/// floatip config that floatip's own parser accepts, and every leftover named at FILE:LINE.
@Suite struct KeepalivedImportTests {
    struct NoFiles: KeepalivedParser.Source {
        func files(matching pattern: String, relativeTo directory: String) throws -> [(path: String, text: String)] { [] }
    }

    /// These cases convert to floatip's own protocol (`--native`) unless `options` says otherwise.
    static var native: KeepalivedImport.Options {
        var options = KeepalivedImport.Options()
        options.native = true
        return options
    }

    func convert(_ text: String, options: KeepalivedImport.Options = native) throws -> (KeepalivedImport, ClusterConfig) {
        let statements = try KeepalivedParser(source: NoFiles()).parse(text, file: "k.conf")
        let result = try KeepalivedImport(statements, file: "k.conf", options: options)
        switch ConfigParser.parse(yaml: result.yaml(generator: "test"), file: "out.yaml") {
        case .success(let config): return (result, config)
        case .failure(let errors):
            Issue.record("\(errors.problems.map(\.description))\n\(result.yaml(generator: "test"))")
            throw errors
        }
    }

    @Test func weightsPrioritiesAndTrackingAsKeepalivedAppliesThem() throws {
        let (result, config) = try convert("""
            vrrp_script up { script "/usr/bin/pgrep -x haproxy"
              interval 2
              weight 30 }
            vrrp_script down { script /usr/local/bin/check
              weight -40
              fall 3 }
            vrrp_script must { script /usr/local/bin/must }
            vrrp_instance web { interface eth0
              priority 100
              nopreempt
              unicast_src_ip 198.18.0.1
              unicast_peer { 198.18.0.2
                198.18.0.3 }
              virtual_ipaddress { 198.18.0.100/24
                2001:2::100 }
              track_script { up
                down
                must }
              track_interface { eth1 weight -10 }
              notify_backup "/bin/echo backup > /tmp/state"
              use_vmac
              virtual_router_id 7
              advert_int 1 }
            """)
        let group = try #require(config.groups.first)
        // keepalived: 100 + 30 while `up` passes; floatip: 130, and 30 off while it fails.
        #expect(group.priority == 130)
        #expect(group.preempt == false)
        #expect(group.addresses.map(\.description) == ["198.18.0.100/24", "2001:2::100/128"])
        #expect(group.virtualMAC == 7)
        let effects = Dictionary(uniqueKeysWithValues: config.checks.map { ($0.name, $0.effect) })
        #expect(effects == ["up_w30": .weight(-30), "down_wm40": .weight(-40), "must": .required, "link-eth1_wm10": .weight(-10)])
        #expect(config.checks.first { $0.name == "down_wm40" }?.fall == 3)
        #expect(config.node.address == .ipv4(198, 18, 0, 1))
        #expect(config.peers.map(\.name) == ["node-198-18-0-2", "node-198-18-0-3"])
        #expect(config.timers.preemptDelay == .zero)
        #expect(group.hooks.onStandby == ["/bin/sh", "-c", "/bin/echo backup > /tmp/state"])
        #expect(result.notes.map(\.description).contains("k.conf:23: `advert_int`: floatip's own protocol has its own timers (interval 20ms, dead after 15: 300 ms) and authenticates every datagram with the cluster's secret"))
    }

    @Test func multicastNeedsTheAddressesAndAnUnknownSectionIsNoted() throws {
        let text = """
            vrrp_instance web { interface eth0
              priority 50
              virtual_ipaddress { 198.18.0.100 } }
            track_process nginx { process nginx }
            """
        let statements = try KeepalivedParser(source: NoFiles()).parse(text, file: "k.conf")
        #expect(throws: KeepalivedImport.Failure.self) { try KeepalivedImport(statements, file: "k.conf", options: .init()) }
        var options = Self.native
        options.address = .ipv4(198, 18, 0, 2)
        options.peers = [.ipv4(198, 18, 0, 1), .ipv4(198, 18, 0, 2)]
        let (result, config) = try convert(text, options: options)
        #expect(config.peers.map(\.address) == [.ipv4(198, 18, 0, 1)], "the node itself is not its own peer")
        #expect(result.notes.map(\.description) == ["k.conf:4: `track_process` has no floatip equivalent"])
    }
}
