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

    /// Weights outside keepalived's range, as keepalived 2.2.7 runs them (its dump of this file):
    /// `track_script chk_a weight 300` is ignored for chk_a's own 20, `eth1 weight 400` runs as weight 0,
    /// `eth2 weight -254` as −253, and chk_b's `weight 300` (reported, yet run as written) lifts
    /// priority 100 to 254 at most: a check of weight −154, so a failure leaves 100 as in keepalived.
    @Test func weightsOutsideKeepalivedsRangeRunAsKeepalivedRunsThem() throws {
        let (result, config) = try convert("""
            vrrp_script chk_a {
                script /usr/local/bin/a
                weight 20
            }
            vrrp_script chk_b {
                script /usr/local/bin/b
                weight 300
            }
            vrrp_instance VI_A {
                interface eth0
                virtual_router_id 82
                priority 100
                unicast_src_ip 198.18.52.1
                virtual_ipaddress {
                    198.18.52.10/24
                }
                track_script {
                    chk_a weight 300
                }
                track_interface {
                    eth1 weight 400
                    eth2 weight -254
                    eth3 weight
                }
            }
            vrrp_instance VI_B {
                interface eth0
                virtual_router_id 83
                priority 100
                unicast_src_ip 198.18.52.1
                virtual_ipaddress {
                    198.18.52.11/24
                }
                track_script {
                    chk_b
                }
            }
            """, options: KeepalivedImport.Options())
        let effects = Dictionary(uniqueKeysWithValues: config.checks.map { ($0.name, $0.effect) })
        #expect(config.groups.map(\.priority) == [120, 254])
        #expect(config.groups[0].checks == ["chk_a_w20", "link-eth1", "link-eth2_wm253"])
        #expect(config.groups[1].checks == ["chk_b_w154"])
        #expect(effects["chk_a_w20"] == .weight(-20) && effects["link-eth1"] == .required)
        #expect(effects["link-eth2_wm253"] == .weight(-253) && effects["chk_b_w154"] == .weight(-154))
        let notes = result.notes.map(\.description)
        for expected in [
            "k.conf:18: track_script chk_a weight 300: keepalived takes −253…253 only and runs the vrrp_script's weight 20 instead",
            "k.conf:21: track_interface eth1 weight 400: keepalived takes −253…253 only and runs weight 0 instead",
            "k.conf:22: track_interface eth2 weight -254: keepalived runs it as -253",
            "k.conf:23: track_interface eth3: weight without a value: keepalived ignores the line; not tracked",
            "k.conf:35: track_script chk_b weight 300 at priority 100: keepalived's priority stops at 254, so it counts as 154",
        ] {
            #expect(notes.contains(expected), "\(notes.joined(separator: "\n"))")
        }
    }

    /// An IPv6 instance over unicast keeps its IPv6 peers; a peer of the other family is skipped, as
    /// keepalived skips it ("MUST be of the same family").
    @Test func anIPv6InstanceKeepsItsUnicastPeers() throws {
        let (result, config) = try convert("""
            vrrp_instance VI_6U {
                interface eth0
                virtual_router_id 70
                priority 150
                unicast_src_ip 2001:2:0:41::1
                unicast_peer {
                    2001:2:0:41::2
                    198.18.41.2
                }
                virtual_ipaddress {
                    2001:2:0:41::10/64
                }
            }
            """, options: KeepalivedImport.Options())
        #expect(config.node.address == IPAddress("2001:2:0:41::1"))
        #expect(config.groups.first?.vrrp?.unicastPeers == [IPAddress("2001:2:0:41::2")!])
        #expect(result.notes.map(\.description).contains("k.conf:1: unicast_peer 198.18.41.2: not of the instance's family (IPv6); left out"),
                "\(result.notes)")
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
