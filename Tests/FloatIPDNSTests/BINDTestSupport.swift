@testable import FloatIPDNS
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

extension Comment {
    static let bind = Comment(rawValue: BINDServer.missingReason)
}

extension BINDServer {
    /// The zone example.test with `vip` (updatable by the key, A and AAAA) and `other` (not).
    static func example() throws -> BINDServer {
        try BINDServer(
            records: ["vip IN A 198.18.0.250", "other IN A 198.18.0.251"], grants: ["name vip.example.test. A AAAA"])
    }

    /// Mover options for this server.
    func moverOptions(name: String = "vip.example.test", address: String, extra: [String: String] = [:]) -> [String: String] {
        ["server": server, "zone": zone, "name": name, "ttl": "60", "key_file": keyFile, "address": address,
         "timeout": "2s"].merging(extra) { $1 }
    }

    func mover(name: String = "vip.example.test", address: String, extra: [String: String] = [:]) throws -> DNSMover {
        let options = moverOptions(name: name, address: address, extra: extra)
        let settings = try DNSMoverSettings.parse(options, path: "groups[0].mover", nodeAddress: nil).get()
        return try DNSMover(settings: settings)
    }

    func client(key: TSIGKey? = nil) throws -> DNSClient {
        let text = try String(contentsOfFile: keyFile, encoding: .utf8)
        let server = try #require(DNSServer("\(address):\(port)"))
        return DNSClient(servers: [server], key: try key ?? TSIGKeyFile.parse(text, name: nil))
    }
}

/// A group as the agent hands it to a mover (the DNS mover only uses its name).
let dnsGroup = GroupConfig(name: "web", addresses: [], interface: nil, mover: MoverConfig(kind: .dns), priority: 100)
