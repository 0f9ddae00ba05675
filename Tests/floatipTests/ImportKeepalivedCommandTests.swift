import FloatIPTestSupport
import Foundation
import Testing

/// `floatip import keepalived`, as an operator runs it: files on disk, includes through glob(3),
/// errors at FILE:LINE, and a result that `floatip check-config` accepts.
@Suite struct ImportKeepalivedCommandTests {
    @Test func aNodesFilesConvertAndTheResultPassesCheckConfig() throws {
        let scratch = try ScratchDirectory("floatip-import")
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.file("conf.d"), withIntermediateDirectories: true)
        try """
            global_defs { router_id web1 }
            include conf.d/*.conf
            """.write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        try """
            vrrp_script chk { script "/bin/true"
              weight -20 }
            """.write(toFile: scratch.file("conf.d/10-script.conf"), atomically: true, encoding: .utf8)
        try """
            vrrp_instance web { interface lo
              priority 150
              unicast_src_ip 198.18.0.1
              unicast_peer { 198.18.0.2 }
              virtual_ipaddress { 198.18.0.100/32 }
              track_script { chk }
              smtp_alert }
            """.write(toFile: scratch.file("conf.d/20-web.conf"), atomically: true, encoding: .utf8)
        let out = scratch.file("out")
        let run = try CLITests.run(["import", "keepalived", scratch.file("keepalived.conf"), "--native", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("note: \(scratch.file("conf.d/20-web.conf")):7: `smtp_alert` is not carried over"), "\(run.stderr)")
        let secret = try FileManager.default.attributesOfItem(atPath: out + "/secret")
        #expect((secret[.posixPermissions] as? Int) == 0o600)
        let yaml = try String(contentsOfFile: out + "/floatip.yaml", encoding: .utf8)
        #expect(yaml.contains("weight: -20"), "\(yaml)")
        let check = try CLITests.run(["check-config", out + "/floatip.yaml"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)\n\(yaml)")
        // A second run keeps the secret every node shares.
        let before = try String(contentsOfFile: out + "/secret", encoding: .utf8)
        #expect(try CLITests.run(["import", "keepalived", scratch.file("keepalived.conf"), "--native", "--out", out]).status == 0)
        #expect(try String(contentsOfFile: out + "/secret", encoding: .utf8) == before)
    }

    @Test func aMissingIncludeSaysWhatAndWhere() throws {
        let scratch = try ScratchDirectory("floatip-import")
        defer { scratch.remove() }
        try "global_defs { router_id a }\n\ninclude /nonexistent/floatip/*.conf\n"
            .write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        let missing = try CLITests.run(["import", "keepalived", scratch.file("keepalived.conf"), "--native"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(scratch.file("keepalived.conf")):3: include /nonexistent/floatip/*.conf: no such file"), "\(missing.stderr)")
    }

    /// Without --native: a `protocol: vrrp` group with keepalived's VRID, version, interval, unicast peers
    /// and password (in a file of its own, 0600), that check-config accepts; a multicast file needs --address.
    @Test func byDefaultTheGroupJoinsKeepalivedsVirtualRouter() throws {
        let scratch = try ScratchDirectory("floatip-import")
        defer { scratch.remove() }
        try """
            vrrp_instance web {
              interface lo
              virtual_router_id 51
              version 2
              priority 90
              advert_int 2
              preempt_delay 5
              authentication {
                auth_type PASS
                auth_pass secret12345
              }
              unicast_src_ip 198.18.0.3
              unicast_peer { 198.18.0.1
                198.18.0.2 }
              virtual_ipaddress {
                198.18.0.100/24
                2001:2::100
              }
            }
            """.write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        let out = scratch.file("out")
        let run = try CLITests.run(["import", "keepalived", scratch.file("keepalived.conf"), "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let yaml = try String(contentsOfFile: out + "/floatip.yaml", encoding: .utf8)
        #expect(yaml.contains("""
                priority: 90
                checks: []
                protocol: vrrp
                vrrp: { vrid: 51, version: 2, advert_interval: 2s, preempt_delay: 5s, unicast_peers: [198.18.0.1, 198.18.0.2], auth_pass_file: \(out)/vrrp-web.pass }
            """), "\(yaml)")
        #expect(yaml.contains("addresses: [198.18.0.100/24]") && !yaml.contains("\npeers:"), "\(yaml)")
        #expect(run.stderr.contains("2001:2::100: a virtual router is of its first address's family (IPv4)"), "\(run.stderr)")
        // keepalived sends 8 bytes of a longer password: so does floatip.
        #expect(try String(contentsOfFile: out + "/vrrp-web.pass", encoding: .utf8) == "secret12\n")
        let password = try FileManager.default.attributesOfItem(atPath: out + "/vrrp-web.pass")
        #expect((password[.posixPermissions] as? Int) == 0o600)
        let check = try CLITests.run(["check-config", out + "/floatip.yaml"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)\n\(yaml)")
        // check-config reads the password as the agent will.
        try FileManager.default.removeItem(atPath: out + "/vrrp-web.pass")
        let missing = try CLITests.run(["check-config", out + "/floatip.yaml"])
        #expect(missing.status != 0 && (missing.stdout + missing.stderr).contains("groups[0].vrrp.auth_pass_file"),
                "\(missing.stdout)\(missing.stderr)")

        try "vrrp_instance web { interface lo\n virtual_router_id 9\n virtual_ipaddress { 198.18.0.100 } }\n"
            .write(toFile: scratch.file("multicast.conf"), atomically: true, encoding: .utf8)
        let multicast = try CLITests.run(["import", "keepalived", scratch.file("multicast.conf")])
        #expect(multicast.status == 1 && multicast.stderr.contains("give --address ADDRESS"), "\(multicast.stderr)")
        let given = try CLITests.run(["import", "keepalived", scratch.file("multicast.conf"), "--address", "198.18.0.3"])
        #expect(given.stdout.contains("vrrp: { vrid: 9 }"), "\(given.stdout)")
    }
}
