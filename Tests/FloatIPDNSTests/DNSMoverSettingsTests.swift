@testable import FloatIPDNS
import FloatIPCore
import Foundation
import Glibc
import Testing

@Suite struct DNSMoverSettingsTests {
    let minimal = ["server": "127.0.0.1:5353, 192.0.2.53", "zone": "example.test", "name": "vip.example.test"]

    func problems(_ options: [String: String]) -> [String] {
        switch DNSMoverSettings.parse(options, path: "groups[1].mover", nodeAddress: address("198.18.0.1")) {
        case .success: []
        case .failure(let problems): problems.problems.map(\.description)
        }
    }

    @Test func defaults() throws {
        let settings = try DNSMoverSettings.parse(minimal, path: "groups[0].mover", nodeAddress: address("198.18.0.1")).get()
        #expect(settings.servers == [DNSServer(address: address("127.0.0.1"), port: 5353), DNSServer(address: address("192.0.2.53"))])
        #expect(settings.addresses == [address("198.18.0.1")], "the node's own address by default")
        #expect(settings.ttl == 60 && settings.timeout == .seconds(2) && settings.release == .keep)
        #expect(settings.keyFile == nil && settings.algorithm == .hmacSHA256)
    }

    @Test("a TSIG key file others can read is refused with the chmod; one its group can read is used")
    func keyFileFollowsTheSecretFileRule() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-tsig-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(
            atPath: path, contents: Data("key \"floatip\" { algorithm hmac-sha256; secret \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"; };".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = minimal
        options["key_file"] = path
        let settings = try DNSMoverSettings.parse(options, path: "groups[0].mover", nodeAddress: address("198.18.0.1")).get()
        chmod(path, 0o644)
        #expect(throws: DNSMoverError(message: "dns: key_file: \(path) can be read or written by others (mode 0644); "
            + "run `chmod 600 \(path)`")) { _ = try DNSMover(settings: settings) }
        chmod(path, 0o640)
        _ = try DNSMover(settings: settings)
    }

    @Test func explicitOptions() throws {
        var options = minimal
        options["address"] = "203.0.113.10,2001:db8::10"
        options["ttl"] = "5m"
        options["server"] = "[::1]:5353"
        options["key_file"] = "/etc/floatip/dns.key"
        options["release"] = "delete"
        let settings = try DNSMoverSettings.parse(options, path: "groups[0].mover", nodeAddress: nil).get()
        #expect(settings.addresses == [address("203.0.113.10"), address("2001:db8::10")])
        #expect(settings.ttl == 300 && settings.release == .delete)
        #expect(settings.servers == [DNSServer(address: address("::1"), port: 5353)])
    }

    @Test func problemsNameTheOption() {
        #expect(problems([:]).sorted() == [
            "groups[1].mover.name: missing: a domain name, e.g. `www.example.com`",
            "groups[1].mover.server: missing: the authoritative server(s) that accept updates, e.g. `192.0.2.53` "
                + "or `127.0.0.1:5353,192.0.2.54` (tried in order)",
            "groups[1].mover.zone: missing: a domain name, e.g. `example.com`",
        ])
        var options = minimal
        options["name"] = "vip.example.org"
        #expect(problems(options) == ["groups[1].mover.name: vip.example.org. is not inside the zone example.test."])
        let cases: [(String, String, String)] = [
            ("server", "127.0.0.1:99999", "groups[1].mover.server: `127.0.0.1:99999` is not a server address"),
            ("server", "ns1.example.test", "groups[1].mover.server: `ns1.example.test` is not a server address"),
            ("ttl", "-1", "groups[1].mover.ttl: `-1` is not a TTL"),
            ("ttl", "2d", "groups[1].mover.ttl: `2d` is not a TTL"),
            ("address", "198.18.0.1,198.18.0.2", "groups[1].mover.address: one address per family"),
            ("address", "web1", "groups[1].mover.address: `web1` is not an IP address"),
            ("algorithm", "hmac-md5", "groups[1].mover.algorithm: `hmac-md5` is not supported; use hmac-sha256"),
            ("key_file", "dns.key", "groups[1].mover.key_file: `dns.key` is not an absolute path"),
            ("release", "drop", "groups[1].mover.release: `drop` is not a release mode"),
            ("timeout", "2", "groups[1].mover.timeout:"),
            ("zone", "exa mple.test", "groups[1].mover.zone: `exa mple.test` is not a domain name"),
            ("zones", "x", "groups[1].mover.zones: unknown option for the `dns` mover"),
        ]
        for (key, value, expected) in cases {
            var options = minimal
            options[key] = value
            let found = problems(options)
            #expect(found.contains { $0.hasPrefix(expected) }, "\(key): \(value) gave \(found)")
        }
        var keyless = minimal
        keyless["key_name"] = "web"
        #expect(problems(keyless) == ["groups[1].mover.key_file: missing: key_name and algorithm need the key's secret in key_file"])
    }
}
