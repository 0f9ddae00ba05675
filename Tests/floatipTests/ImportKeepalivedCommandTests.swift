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

    @Test func aMissingIncludeAndAMissingNativeSayWhatAndWhere() throws {
        let scratch = try ScratchDirectory("floatip-import")
        defer { scratch.remove() }
        try "global_defs { router_id a }\n\ninclude /nonexistent/floatip/*.conf\n"
            .write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        let missing = try CLITests.run(["import", "keepalived", scratch.file("keepalived.conf"), "--native"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(scratch.file("keepalived.conf")):3: include /nonexistent/floatip/*.conf: no such file"), "\(missing.stderr)")
        let native = try CLITests.run(["import", "keepalived", scratch.file("keepalived.conf")])
        #expect(native.status == 64)
        #expect(native.stderr.contains("give --native"), "\(native.stderr)")
    }
}
