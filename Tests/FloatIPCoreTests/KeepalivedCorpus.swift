import FloatIPCore
import Testing

/// One keepalived.conf of the corpus, with what keepalived runs from it: per instance the priority
/// it advertises while every tracked script passes, the checks and their effect, the addresses and
/// the virtual router (keepalived 2.2.7's rules, vrrp.c `vrrp_complete_instance`). The files are
/// written from keepalived.conf(5) and common deployments; `keepalived -t` accepts each.
struct KeepalivedCorpusEntry: Sendable, CustomTestStringConvertible {
    var name: String
    /// The text of /etc/keepalived/keepalived.conf.
    var text: String
    /// Other files by absolute path, for `include`.
    var includes: [String: String] = [:]
    /// `--address`, for multicast instances (nil: the instances' `unicast_src_ip`).
    var address: String?
    var instances: [Instance]
    /// The groups of the native conversion where they differ from `instances` (a sync group's
    /// instances become one group).
    var nativeInstances: [Instance]? = nil
    /// Notes the conversion makes in both modes: each is part of one note's `FILE:LINE: message`.
    var notes: [String] = []
    /// Notes of the VRRP mode only.
    var vrrpNotes: [String] = []

    var testDescription: String { name }

    /// What keepalived runs for one `vrrp_instance`.
    struct Instance: Sendable {
        var name: String
        var interface = "eth0"
        /// keepalived's priority plus the positive weights (every script passing), within 1–254.
        var priority: Int
        var preempt = true
        var ipv4: [String]
        /// An instance's IPv6 addresses (over VRRP, kept when it has no IPv4 ones: its family is IPv6).
        var ipv6: [String] = []
        /// Addresses on another interface than `interface` (`dev IFACE`, a sync group's other instances).
        var ownInterfaces: [String: String] = [:]
        /// Check name: its effect (`.required` is keepalived's weight 0: a failure is FAULT).
        var checks: [String: CheckEffect] = [:]
        var vrid: Int
        var version = 2
        var advert: Duration = .seconds(1)
        var preemptDelay: Duration = .zero
        var unicastPeers: [String] = []
        /// `auth_pass` as keepalived sends it (8 bytes at most); nil: no authentication.
        var password: String?
        var virtualMAC: Int?
        var hooks: HooksConfig?
        var announce: AnnounceConfig?
    }
}

enum KeepalivedCorpus {
    static let entries: [KeepalivedCorpusEntry] = [
        // A web pair's first node: multicast, a negative weight, PASS with `\!`: keepalived.conf(5) calls it
        // an escaped `!`, but keepalived 2.2.7's VRRP process reads it as a comment (its dump: `w3b`).
        .init(name: "web-pair-master", text: #"""
            ! Configuration File for keepalived: the web pair's first node
            global_defs {
               router_id web1
               script_user root
               enable_script_security
            }

            vrrp_script chk_nginx {
                script "/usr/bin/pgrep -x nginx"
                interval 2
                weight -20
                fall 2
                rise 2
            }

            vrrp_instance VI_WEB {
                state MASTER
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 1
                authentication {
                    auth_type PASS
                    auth_pass w3b\!pair
                }
                virtual_ipaddress {
                    198.18.10.100/24 dev eth0 label eth0:web
                }
                track_script {
                    chk_nginx
                }
            }
            """#, address: "198.18.10.1",
            instances: [.init(name: "VI_WEB", priority: 150, ipv4: ["198.18.10.100/24"],
                checks: ["chk_nginx_wm20": .weight(-20)], vrid: 51, password: "w3b")],
            notes: ["keepalived.conf:3: router_id", "keepalived.conf:27: `label` on 198.18.10.100/24 is not carried over"]),
        // Its second node: BACKUP at 100, the weight given where the script is tracked.
        .init(name: "web-pair-backup", text: #"""
            global_defs {
               router_id web2
            }
            vrrp_script chk_nginx {
                script "/usr/bin/pgrep -x nginx"
                interval 2
                fall 2
                rise 2
            }
            vrrp_instance VI_WEB {
                state BACKUP
                interface eth0
                virtual_router_id 51
                priority 100
                advert_int 1
                authentication {
                    auth_type PASS
                    auth_pass w3b\!pair
                }
                virtual_ipaddress {
                    198.18.10.100/24 dev eth0
                }
                track_script {
                    chk_nginx weight -20
                }
            }
            """#, address: "198.18.10.2",
            instances: [.init(name: "VI_WEB", priority: 100, ipv4: ["198.18.10.100/24"],
                checks: ["chk_nginx_wm20": .weight(-20)], vrid: 51, password: "w3b")]),
        // An edge router's LAN and WAN in a sync group: keepalived drops the members' weighted scripts
        // and runs their weighted interfaces as weight 0.
        .init(name: "router-sync-group", text: #"""
            # Edge router pair: LAN and WAN move together
            vrrp_sync_group EDGE {
                group {
                    VI_LAN
                    VI_WAN
                }
                notify_master "/etc/keepalived/edge.sh master"
            }

            vrrp_script chk_bgp {
                script "/usr/local/bin/check-bgp"
                interval 5
                weight -30
            }

            vrrp_script chk_dhcp {
                script /usr/local/bin/check-dhcp
                interval 3
            }

            vrrp_instance VI_LAN {
                state MASTER
                interface eth0
                virtual_router_id 10
                priority 200
                advert_int 1
                virtual_ipaddress {
                    198.18.20.1/24
                }
                track_interface {
                    eth0
                    eth1
                    eth2 weight -10
                }
                track_script {
                    chk_dhcp
                    chk_bgp
                }
            }

            vrrp_instance VI_WAN {
                state MASTER
                interface eth1
                virtual_router_id 20
                priority 200
                advert_int 1
                virtual_ipaddress {
                    198.18.21.1/24
                }
                track_interface {
                    eth0
                }
            }
            """#, address: "198.18.20.2",
            instances: [
                .init(name: "VI_LAN", priority: 200, ipv4: ["198.18.20.1/24"],
                    checks: ["chk_dhcp": .required, "link-eth1": .required, "link-eth2": .required], vrid: 10),
                .init(name: "VI_WAN", interface: "eth1", priority: 200, ipv4: ["198.18.21.1/24"],
                    checks: ["link-eth0": .required], vrid: 20),
            ],
            // On floatip's own protocol the sync group is one group across both interfaces, with its notify script.
            nativeInstances: [
                .init(name: "EDGE", priority: 200, ipv4: ["198.18.20.1/24", "198.18.21.1/24"],
                    ownInterfaces: ["198.18.21.1/24": "eth1"],
                    checks: ["chk_dhcp": .required, "link-eth1": .required, "link-eth2": .required, "link-eth0": .required],
                    vrid: 10, hooks: HooksConfig(onHolder: ["/etc/keepalived/edge.sh", "master"])),
            ],
            notes: [
                "keepalived.conf:2: vrrp_sync_group", "keepalived.conf:33: track_interface eth2 weight -10: keepalived runs it as weight 0",
                "keepalived.conf:37: track_script chk_bgp weight -30: keepalived ignores",
            ]),
        // The other router, whose sync group keeps the weights (`sync_group_tracking_weight`).
        .init(name: "router-sync-group-weighted", text: #"""
            vrrp_sync_group EDGE {
                group {
                    VI_LAN
                    VI_WAN
                }
                sync_group_tracking_weight
            }
            vrrp_script chk_bgp {
                script "/usr/local/bin/check-bgp"
                interval 5
                weight 20
            }
            vrrp_instance VI_LAN {
                state BACKUP
                interface eth0
                virtual_router_id 10
                priority 180
                virtual_ipaddress {
                    198.18.20.1/24
                }
                track_script {
                    chk_bgp
                }
                track_interface {
                    eth2 weight -10
                }
            }
            vrrp_instance VI_WAN {
                state BACKUP
                interface eth1
                virtual_router_id 20
                priority 180
                virtual_ipaddress {
                    198.18.21.1/24
                }
            }
            """#, address: "198.18.20.3",
            instances: [
                .init(name: "VI_LAN", priority: 200, ipv4: ["198.18.20.1/24"],
                    checks: ["chk_bgp_w20": .weight(-20), "link-eth2_wm10": .weight(-10)], vrid: 10),
                .init(name: "VI_WAN", interface: "eth1", priority: 180, ipv4: ["198.18.21.1/24"], vrid: 20),
            ],
            nativeInstances: [
                .init(name: "EDGE", priority: 200, ipv4: ["198.18.20.1/24", "198.18.21.1/24"],
                    ownInterfaces: ["198.18.21.1/24": "eth1"],
                    checks: ["chk_bgp_w20": .weight(-20), "link-eth2_wm10": .weight(-10)], vrid: 10),
            ],
            vrrpNotes: ["keepalived.conf:1: vrrp_sync_group EDGE: over VRRP each instance joins its own virtual router"]),
        // Two cloud VMs without multicast: unicast, a small positive weight, a notify script.
        .init(name: "unicast-cloud-pair", text: #"""
            # Cloud VMs: no multicast, so unicast between the two nodes
            vrrp_script chk_haproxy {
                script "/usr/bin/killall -0 haproxy"
                interval 2
                timeout 1
                weight 2
            }

            vrrp_instance VI_CLOUD {
                state BACKUP
                interface ens5
                virtual_router_id 60
                priority 100
                advert_int 1
                unicast_src_ip 198.18.30.11
                unicast_peer {
                    198.18.30.12
                }
                virtual_ipaddress {
                    198.18.30.100/32 dev ens5
                }
                track_script {
                    chk_haproxy
                }
                notify_master /etc/keepalived/assign-eip.sh
            }
            """#,
            instances: [.init(name: "VI_CLOUD", interface: "ens5", priority: 102, ipv4: ["198.18.30.100/32"],
                checks: ["chk_haproxy_w2": .weight(-2)], vrid: 60, unicastPeers: ["198.18.30.12"],
                hooks: HooksConfig(onHolder: ["/etc/keepalived/assign-eip.sh"]))]),
        // IPv6 over unicast: version 3 (keepalived's dump: `VRRP Version = 3`, src_ip from the configuration,
        // the one peer), the node's address from unicast_src_ip.
        .init(name: "unicast-ipv6-pair", text: #"""
            vrrp_instance VI_6U {
                state BACKUP
                interface eth0
                virtual_router_id 70
                priority 150
                advert_int 0.5
                unicast_src_ip 2001:2:0:41::1
                unicast_peer {
                    2001:2:0:41::2
                }
                virtual_ipaddress {
                    2001:2:0:41::10/64
                }
            }
            """#,
            instances: [.init(name: "VI_6U", priority: 150, ipv4: [], ipv6: ["2001:2:0:41::10/64"], vrid: 70, version: 3,
                advert: .milliseconds(500), unicastPeers: ["2001:2:0:41::2"])]),
        // Three nodes over unicast, two instances, one of them sticky.
        .init(name: "unicast-three-nodes", text: #"""
            vrrp_instance VI_API {
              state BACKUP
              interface eth0
              virtual_router_id 61
              priority 90
              nopreempt
              unicast_src_ip 198.18.31.2
              unicast_peer {
                198.18.31.1
                198.18.31.3
              }
              virtual_ipaddress {
                198.18.31.100/24
              }
            }
            vrrp_instance VI_DB {
              state BACKUP
              interface eth0
              virtual_router_id 62
              priority 80
              unicast_src_ip 198.18.31.2
              unicast_peer {
                198.18.31.1
                198.18.31.3
              }
              virtual_ipaddress {
                198.18.31.101/24
              }
            }
            """#,
            instances: [
                .init(name: "VI_API", priority: 90, preempt: false, ipv4: ["198.18.31.100/24"], vrid: 61,
                    unicastPeers: ["198.18.31.1", "198.18.31.3"]),
                .init(name: "VI_DB", priority: 80, ipv4: ["198.18.31.101/24"], vrid: 62,
                    unicastPeers: ["198.18.31.1", "198.18.31.3"]),
            ]),
        // Dual stack: an IPv4 instance and an IPv6 one (version 3 over ff02::12).
        .init(name: "dual-stack", text: #"""
            # Dual stack: one instance per family (keepalived cannot mix them in one)
            vrrp_instance VI_4 {
                state BACKUP
                interface eth0
                virtual_router_id 70
                priority 120
                version 3
                advert_int 1
                virtual_ipaddress {
                    198.18.40.10/24
                }
            }

            vrrp_instance VI_6 {
                state BACKUP
                interface eth0
                virtual_router_id 70
                priority 120
                version 3
                advert_int 0.5
                virtual_ipaddress {
                    2001:2:0:40::10/64
                    2001:2:0:40::11/64
                }
            }
            """#, address: "198.18.40.2",
            instances: [
                .init(name: "VI_4", priority: 120, ipv4: ["198.18.40.10/24"], vrid: 70, version: 3),
                .init(name: "VI_6", priority: 120, ipv4: [], ipv6: ["2001:2:0:40::10/64", "2001:2:0:40::11/64"],
                    vrid: 70, version: 3, advert: .milliseconds(500)),
            ]),
        // Positive, negative and zero weights, a weight given at track_script, a script tracked twice.
        .init(name: "script-weights", text: #"""
            vrrp_script chk_up {
                script "/usr/bin/curl -fs http://127.0.0.1/health"
                interval 2
                weight 30
            }
            vrrp_script chk_down {
                script /usr/local/bin/check-app
                weight -40
                fall 3
                rise 2
            }
            vrrp_script chk_must {
                script /usr/local/bin/check-disk
                weight 0
            }
            vrrp_script chk_override {
                script /usr/local/bin/check-cache
                weight -5
            }
            vrrp_instance VI_APP {
                interface eth0
                virtual_router_id 80
                priority 100
                virtual_ipaddress {
                    198.18.50.10
                }
                track_script {
                    chk_up
                    chk_down
                    chk_must
                    chk_override weight 15
                    chk_down weight -10
                }
            }
            """#, address: "198.18.50.2",
            instances: [.init(name: "VI_APP", priority: 145, ipv4: ["198.18.50.10/32"], checks: [
                "chk_up_w30": .weight(-30), "chk_down_wm40": .weight(-40), "chk_must": .required,
                "chk_override_w15": .weight(-15),
            ], vrid: 80)],
            notes: ["keepalived.conf:32: track_script chk_down is listed already"]),
        // Weights beyond the range: keepalived takes 254 as 253 and advertises at most 254, so chk_a raises
        // 240 by 14 (failing, keepalived advertises 240: so does floatip, 254 − 14).
        .init(name: "priority-clamp", text: #"""
            vrrp_script chk_a {
                script /usr/local/bin/a
            }
            vrrp_script chk_b {
                script /usr/local/bin/b
                weight -253
            }
            vrrp_instance VI_HIGH {
                interface eth0
                virtual_router_id 81
                priority 240
                virtual_ipaddress {
                    198.18.51.10/24
                }
                track_script {
                    chk_a weight 254
                    chk_b
                }
            }
            """#, address: "198.18.51.2",
            instances: [.init(name: "VI_HIGH", priority: 254, ipv4: ["198.18.51.10/24"],
                checks: ["chk_a_w14": .weight(-14), "chk_b_wm253": .weight(-253)], vrid: 81)],
            notes: ["keepalived.conf:16: track_script chk_a weight 254: keepalived runs it as 253",
                    "keepalived.conf:16: track_script chk_a weight 253 at priority 240: keepalived's priority stops at 254, so it counts as 14",
                    "keepalived.conf:8: priority 240 + 14"]),
        // Tracked interfaces with negative, positive and no weight.
        .init(name: "track-interface-weights", text: #"""
            vrrp_instance VI_IF {
                state BACKUP
                interface bond0
                virtual_router_id 90
                priority 100
                virtual_ipaddress {
                    198.18.60.10/24
                }
                track_interface {
                    bond0
                    eth1 weight -20
                    eth2 weight 15
                    eth3
                }
            }
            """#, address: "198.18.60.2",
            instances: [.init(name: "VI_IF", interface: "bond0", priority: 115, ipv4: ["198.18.60.10/24"], checks: [
                "link-eth1_wm20": .weight(-20), "link-eth2_w15": .weight(-15), "link-eth3": .required,
            ], vrid: 90)]),
        // Every notify form: one program, a program with arguments, a shell line, the generic notify.
        .init(name: "notify-scripts", text: #"""
            vrrp_instance VI_NOTIFY {
                state BACKUP
                interface eth0
                virtual_router_id 91
                priority 110
                virtual_ipaddress {
                    198.18.61.10/24
                }
                notify_master "/etc/keepalived/notify.sh MASTER VI_NOTIFY"
                notify_backup /etc/keepalived/backup.sh
                notify_fault "/usr/bin/logger -t keepalived fault; /usr/bin/systemctl stop app"
                notify /etc/keepalived/notify-all.sh
                notify_stop /etc/keepalived/stop.sh
                smtp_alert
            }
            """#, address: "198.18.61.2",
            instances: [.init(name: "VI_NOTIFY", priority: 110, ipv4: ["198.18.61.10/24"], vrid: 91, hooks: HooksConfig(
                onHolder: ["/etc/keepalived/notify.sh", "MASTER", "VI_NOTIFY"], onStandby: ["/etc/keepalived/backup.sh"],
                onFault: ["/bin/sh", "-c", "/usr/bin/logger -t keepalived fault; /usr/bin/systemctl stop app"],
                notify: "/etc/keepalived/notify-all.sh"))],
            notes: ["keepalived.conf:13: `notify_stop` is not carried over", "keepalived.conf:14: `smtp_alert` is not carried over"]),
        // Gratuitous ARP: global defaults, each overridden per instance one setting at a time.
        .init(name: "garp-settings", text: #"""
            global_defs {
                vrrp_garp_master_repeat 5
                vrrp_garp_master_refresh 60
                vrrp_garp_interval 0.001
            }
            vrrp_instance VI_GARP_A {
                interface eth0
                virtual_router_id 92
                priority 100
                garp_master_delay 10
                virtual_ipaddress {
                    198.18.62.10/24
                }
            }
            vrrp_instance VI_GARP_B {
                interface eth0
                virtual_router_id 93
                priority 100
                garp_master_repeat 2
                garp_master_refresh 0
                virtual_ipaddress {
                    198.18.62.11/24
                }
            }
            """#, address: "198.18.62.2",
            instances: [
                .init(name: "VI_GARP_A", priority: 100, ipv4: ["198.18.62.10/24"], vrid: 92,
                    announce: AnnounceConfig(count: 5, repeatAfter: .seconds(10), refresh: .seconds(60))),
                // keepalived's garp_master_delay default (5 s), not floatip's repeat_after (2 s).
                .init(name: "VI_GARP_B", priority: 100, ipv4: ["198.18.62.11/24"], vrid: 93,
                    announce: AnnounceConfig(count: 2, repeatAfter: .seconds(5), refresh: nil)),
            ],
            notes: ["keepalived.conf:4: global_defs `vrrp_garp_interval` is not carried over"]),
        // No garp setting anywhere: keepalived's defaults (its dump: delay 5, repeat 5).
        .init(name: "garp-defaults", text: #"""
            vrrp_instance VI_PLAIN {
                interface eth0
                virtual_router_id 95
                priority 100
                virtual_ipaddress {
                    198.18.63.10/24
                }
            }
            """#, address: "198.18.63.2",
            instances: [.init(name: "VI_PLAIN", priority: 100, ipv4: ["198.18.63.10/24"], vrid: 95,
                announce: AnnounceConfig(count: 5, repeatAfter: .seconds(5)))]),
        // `vrrp_min_garp`: one GARP, no second burst, unless an instance says otherwise (its dump: delay 0,
        // repeat 1; VI_MIN_B delay 3, repeat 1).
        .init(name: "garp-min", text: #"""
            global_defs {
                vrrp_min_garp
            }
            vrrp_instance VI_MIN {
                interface eth0
                virtual_router_id 96
                priority 100
                virtual_ipaddress {
                    198.18.64.10/24
                }
            }
            vrrp_instance VI_MIN_B {
                interface eth0
                virtual_router_id 97
                priority 100
                garp_master_delay 3
                virtual_ipaddress {
                    198.18.64.11/24
                }
            }
            """#, address: "198.18.64.2",
            instances: [
                .init(name: "VI_MIN", priority: 100, ipv4: ["198.18.64.10/24"], vrid: 96,
                    announce: AnnounceConfig(count: 1, repeatAfter: nil)),
                .init(name: "VI_MIN_B", priority: 100, ipv4: ["198.18.64.11/24"], vrid: 97,
                    announce: AnnounceConfig(count: 1, repeatAfter: .seconds(3))),
            ]),
        // A VRRP MAC on a macvlan (use_vmac with keepalived's interface name).
        .init(name: "use-vmac", text: #"""
            vrrp_instance VI_VMAC {
                state BACKUP
                interface eth0
                use_vmac vrrp.94
                vmac_xmit_base
                virtual_router_id 94
                priority 100
                virtual_ipaddress {
                    198.18.63.10/24
                }
            }
            """#, address: "198.18.63.2",
            instances: [.init(name: "VI_VMAC", priority: 100, ipv4: ["198.18.63.10/24"], vrid: 94, virtualMAC: 94)],
            notes: ["keepalived.conf:4: use_vmac's interface name", "keepalived.conf:5: `vmac_xmit_base` is not carried over"]),
        // nopreempt, preempt_delay, and what keepalived clears: a delay with nopreempt, both with MASTER.
        .init(name: "preemption", text: #"""
            vrrp_instance VI_STICKY {
                state BACKUP
                interface eth0
                virtual_router_id 95
                priority 150
                nopreempt
                preempt_delay 30
                virtual_ipaddress {
                    198.18.64.10/24
                }
            }
            vrrp_instance VI_DELAYED {
                state BACKUP
                interface eth0
                virtual_router_id 96
                priority 150
                preempt_delay 15
                virtual_ipaddress {
                    198.18.64.11/24
                }
            }
            vrrp_instance VI_MASTER_NOPREEMPT {
                state MASTER
                interface eth0
                virtual_router_id 97
                priority 150
                nopreempt
                preempt_delay 5
                virtual_ipaddress {
                    198.18.64.12/24
                }
            }
            """#, address: "198.18.64.2",
            instances: [
                .init(name: "VI_STICKY", priority: 150, preempt: false, ipv4: ["198.18.64.10/24"], vrid: 95),
                .init(name: "VI_DELAYED", priority: 150, ipv4: ["198.18.64.11/24"], vrid: 96, preemptDelay: .seconds(15)),
                .init(name: "VI_MASTER_NOPREEMPT", priority: 150, ipv4: ["198.18.64.12/24"], vrid: 97),
            ],
            notes: [
                "keepalived.conf:7: preempt_delay: keepalived ignores it with nopreempt",
                "keepalived.conf:22: nopreempt: keepalived ignores it with state MASTER",
                "keepalived.conf:28: preempt_delay: keepalived ignores it with state MASTER",
            ]),
        // Version 2 with PASS: a quoted password longer than the 8 bytes keepalived sends.
        .init(name: "auth-pass-v2", text: #"""
            vrrp_instance VI_AUTH {
                state BACKUP
                interface eth0
                virtual_router_id 100
                priority 100
                version 2
                advert_int 2
                authentication {
                    auth_type PASS
                    auth_pass "longer than eight"
                }
                virtual_ipaddress {
                    198.18.65.10/24
                }
            }
            """#, address: "198.18.65.2",
            instances: [.init(name: "VI_AUTH", priority: 100, ipv4: ["198.18.65.10/24"], vrid: 100, advert: .seconds(2),
                password: "longer t")]),
        // Version 3 below a second; keepalived rounds to 10 ms and ignores authentication in version 3.
        .init(name: "v3-fractional", text: #"""
            vrrp_instance VI_FAST {
                state BACKUP
                interface eth0
                virtual_router_id 101
                priority 100
                version 3
                advert_int 0.5
                virtual_ipaddress {
                    198.18.66.10/24
                }
            }
            vrrp_instance VI_FASTER {
                state BACKUP
                interface eth0
                virtual_router_id 102
                priority 100
                advert_int 0.05
                version 3
                authentication {
                    auth_type PASS
                    auth_pass secret
                }
                virtual_ipaddress {
                    198.18.66.11/24
                }
            }
            vrrp_instance VI_ODD {
                state BACKUP
                interface eth0
                virtual_router_id 103
                priority 100
                version 3
                advert_int 0.125
                virtual_ipaddress {
                    198.18.66.12/24
                }
            }
            """#, address: "198.18.66.2",
            instances: [
                .init(name: "VI_FAST", priority: 100, ipv4: ["198.18.66.10/24"], vrid: 101, version: 3,
                    advert: .milliseconds(500)),
                .init(name: "VI_FASTER", priority: 100, ipv4: ["198.18.66.11/24"], vrid: 102, version: 3,
                    advert: .milliseconds(50)),
                .init(name: "VI_ODD", priority: 100, ipv4: ["198.18.66.12/24"], vrid: 103, version: 3,
                    advert: .milliseconds(130)),
            ],
            vrrpNotes: [
                "keepalived.conf:12: authentication: keepalived ignores it in VRRP version 3",
                "keepalived.conf:33: advert_int 0.125: keepalived runs version 3 at 130ms",
            ]),
        // `vrrp_version 3` in global_defs: every instance that names no version.
        .init(name: "global-vrrp-version", text: #"""
            global_defs {
                router_id lb1
                vrrp_version 3
            }
            vrrp_instance VI_V3 {
                state BACKUP
                interface eth0
                virtual_router_id 104
                priority 100
                advert_int 0.2
                virtual_ipaddress {
                    198.18.67.10/24
                }
            }
            vrrp_instance VI_V2 {
                state BACKUP
                interface eth0
                virtual_router_id 105
                priority 100
                version 2
                virtual_ipaddress {
                    198.18.67.11/24
                }
            }
            """#, address: "198.18.67.2",
            instances: [
                .init(name: "VI_V3", priority: 100, ipv4: ["198.18.67.10/24"], vrid: 104, version: 3,
                    advert: .milliseconds(200)),
                .init(name: "VI_V2", priority: 100, ipv4: ["198.18.67.11/24"], vrid: 105),
            ]),
        // Version 2 with a fractional interval: keepalived rounds it to whole seconds.
        .init(name: "v2-fractional", text: #"""
            vrrp_instance VI_ROUND {
                state BACKUP
                interface eth0
                virtual_router_id 106
                priority 100
                advert_int 0.5
                virtual_ipaddress {
                    198.18.68.10/24
                }
            }
            vrrp_instance VI_ROUND2 {
                state BACKUP
                interface eth0
                virtual_router_id 107
                priority 100
                advert_int 2.4
                virtual_ipaddress {
                    198.18.68.11/24
                }
            }
            """#, address: "198.18.68.2",
            instances: [
                .init(name: "VI_ROUND", priority: 100, ipv4: ["198.18.68.10/24"], vrid: 106),
                .init(name: "VI_ROUND2", priority: 100, ipv4: ["198.18.68.11/24"], vrid: 107, advert: .seconds(2)),
            ],
            vrrpNotes: [
                "keepalived.conf:6: advert_int 0.5: keepalived runs version 2 at 1s",
                "keepalived.conf:16: advert_int 2.4: keepalived runs version 2 at 2s",
            ]),
        // Active/active: two instances with swapped roles, one script tracked with two weights.
        .init(name: "active-active", text: #"""
            vrrp_script chk_service {
                script "/bin/systemctl is-active --quiet app"
                interval 1
            }
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 111
                priority 150
                advert_int 1
                virtual_ipaddress {
                    198.18.70.10/24
                }
                track_script {
                    chk_service weight -60
                }
            }
            vrrp_instance VI_2 {
                state BACKUP
                interface eth0
                virtual_router_id 112
                priority 100
                advert_int 1
                virtual_ipaddress {
                    198.18.70.11/24
                }
                track_script {
                    chk_service
                }
            }
            """#, address: "198.18.70.2",
            instances: [
                .init(name: "VI_1", priority: 150, ipv4: ["198.18.70.10/24"], checks: ["chk_service_wm60": .weight(-60)],
                    vrid: 111),
                .init(name: "VI_2", priority: 100, ipv4: ["198.18.70.11/24"], checks: ["chk_service": .required], vrid: 112),
            ]),
        // Includes: globs read sorted, relative to the including file, nested, and `includer` that matches nothing.
        .init(name: "includes-glob", text: #"""
            ! main file: everything lives in conf.d
            global_defs {
                router_id include-test
            }
            include scripts/*.conf
            include conf.d/*.conf
            includer optional.d/*.conf
            """#, includes: [
                "/etc/keepalived/scripts/chk_web.conf": """
                    vrrp_script chk_web {
                        script /usr/local/bin/check-web
                        weight -25
                    }
                    """,
                "/etc/keepalived/conf.d/20-db.conf": """
                    vrrp_instance VI_DB {
                        interface eth0
                        virtual_router_id 121
                        priority 90
                        include ../addresses/db.conf
                    }
                    """,
                "/etc/keepalived/conf.d/10-web.conf": """
                    vrrp_instance VI_WEB {
                        interface eth0
                        virtual_router_id 120
                        priority 140
                        virtual_ipaddress {
                            198.18.80.10/24
                        }
                        track_script {
                            chk_web
                        }
                        weird_option on
                    }
                    """,
                "/etc/keepalived/conf.d/README": "vrrp_instance NOT_READ {\n}\n",
                "/etc/keepalived/addresses/db.conf": "virtual_ipaddress {\n    198.18.80.11/24\n}\n",
            ], address: "198.18.80.2",
            instances: [
                .init(name: "VI_WEB", priority: 140, ipv4: ["198.18.80.10/24"], checks: ["chk_web_wm25": .weight(-25)], vrid: 120),
                .init(name: "VI_DB", priority: 90, ipv4: ["198.18.80.11/24"], vrid: 121),
            ],
            notes: ["conf.d/10-web.conf:11: `weird_option` is not carried over"]),
        // Comments with # and ! (also inside blocks and after values), quoted strings, tabs, braces on
        // the next line, glued to the name and closing two blocks at once; address flags without values.
        .init(name: "comments-quotes-braces", text: ##"""
            # keepalived.conf with every comment and brace style keepalived reads
            ! bang comments too
            global_defs
            {
                router_id odd   # trailing comment
            }
            vrrp_script chk_proxy
            {
                script "/usr/bin/pgrep -f 'haproxy -f /etc/haproxy/haproxy.cfg'"   # quoted, quotes inside
                interval 2 ! every two seconds
                weight -15
            }
            vrrp_instance VI_ODD{
                interface eth0
            	virtual_router_id 130
            	priority 120 # tab-indented
                virtual_ipaddress { 198.18.90.10/24 }
                virtual_ipaddress_excluded
                {
                    198.18.90.11/24

                    # a comment inside a block
                    198.18.90.12/24 dev eth0 no_track
                    198.18.90.13/24 no_track dev eth9
                }
                track_script { chk_proxy }
                authentication { auth_type PASS
                    auth_pass pa\#ss
                } }
            """##, address: "198.18.90.2",
            instances: [.init(name: "VI_ODD", priority: 120,
                ipv4: ["198.18.90.10/24", "198.18.90.11/24", "198.18.90.12/24", "198.18.90.13/24"],
                ownInterfaces: ["198.18.90.13/24": "eth9"], checks: ["chk_proxy_wm15": .weight(-15)], vrid: 130, password: "pa")],
            notes: [
                "keepalived.conf:23: `no_track` on 198.18.90.12/24 is not carried over",
                "keepalived.conf:24: `no_track` on 198.18.90.13/24 is not carried over",
            ]),
        // No priority and state MASTER: the address owner (255), which keepalived lets no weight move.
        .init(name: "address-owner", text: #"""
            vrrp_script chk_gw {
                script /usr/local/bin/check-gw
                weight -50
            }
            vrrp_instance VI_OWNER {
                state MASTER
                interface eth0
                virtual_router_id 140
                nopreempt
                virtual_ipaddress {
                    198.18.100.1/24
                }
                track_script {
                    chk_gw
                }
                track_interface {
                    eth1 weight -10
                    eth2
                }
            }
            """#, address: "198.18.100.2",
            instances: [.init(name: "VI_OWNER", priority: 254, ipv4: ["198.18.100.1/24"], checks: ["link-eth2": .required],
                vrid: 140)],
            notes: [
                "keepalived.conf:5: no priority and state MASTER", "keepalived.conf:5: nopreempt: keepalived ignores it at priority 255",
                "keepalived.conf:14: track_script chk_gw weight -50: keepalived ignores a weighted script at priority 255",
                "keepalived.conf:17: track_interface eth1 weight -10: keepalived ignores a weighted interface at priority 255",
            ]),
        // An LVS director: SMTP alerts, the sync daemon, a virtual_server beside the instance.
        .init(name: "lvs-director", text: #"""
            global_defs {
                notification_email {
                    ops@example.org
                }
                notification_email_from lb@example.org
                smtp_server 198.18.110.25
                smtp_connect_timeout 30
                router_id LVS_DIRECTOR
            }
            vrrp_instance VI_LVS {
                state MASTER
                interface eth0
                lvs_sync_daemon_interface eth1
                virtual_router_id 150
                priority 150
                advert_int 1
                smtp_alert
                authentication {
                    auth_type PASS
                    auth_pass lvs
                }
                virtual_ipaddress {
                    198.18.110.100
                }
            }
            virtual_server 198.18.110.100 80 {
                delay_loop 6
                lb_algo rr
                lb_kind DR
                protocol TCP
                real_server 198.18.110.11 80 {
                    weight 1
                    HTTP_GET {
                        url {
                            path /health
                            status_code 200
                        }
                        connect_timeout 3
                    }
                }
            }
            """#, address: "198.18.110.2",
            instances: [.init(name: "VI_LVS", priority: 150, ipv4: ["198.18.110.100/32"], vrid: 150, password: "lvs")],
            notes: [
                "keepalived.conf:2: SMTP alerts", "keepalived.conf:13: `lvs_sync_daemon_interface` is not carried over",
                "keepalived.conf:26: LVS load balancing (`virtual_server`)",
            ]),
        // Directives floatip does not know, in an instance and at the top: each noted at FILE:LINE.
        .init(name: "unknown-directives", text: #"""
            vrrp_instance VI_NEW {
                interface eth0
                virtual_router_id 160
                priority 100
                virtual_ipaddress {
                    198.18.120.10/24
                }
                frobnicate_the_router yes
            }
            track_file ready {
                file /run/app/ready
            }
            vrrp_sriov_magic on
            """#, address: "198.18.120.2",
            instances: [.init(name: "VI_NEW", priority: 100, ipv4: ["198.18.120.10/24"], vrid: 160)],
            notes: [
                "/etc/keepalived/keepalived.conf:8: `frobnicate_the_router` is not carried over",
                "/etc/keepalived/keepalived.conf:10: `track_file` has no floatip equivalent",
                "/etc/keepalived/keepalived.conf:13: `vrrp_sriov_magic` has no floatip equivalent",
            ]),
    ]
}
