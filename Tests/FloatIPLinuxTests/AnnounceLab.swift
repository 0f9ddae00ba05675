import Foundation
import Testing

/// A switch (bridge `br0` in namespace `sw`) and hosts on it for the announcement and ping tests.
/// Host number N has `eth0` with 198.18.0.N/24 and 2001:2::N/64; duplicate-address detection is off
/// in every host so IPv6 addresses (link-local ones too) are usable at once.
final class AnnounceLab {
    let network = TestNetwork()
    let switchNamespace: String
    private(set) var hosts: [String: String] = [:]

    /// The floating addresses the tests move (never configured on `eth0` at start).
    static let vip4 = "198.18.0.100"
    static let vip6 = "2001:2::100"
    /// The MAC a stale neighbour entry starts with.
    static let staleMAC = "02:00:00:00:00:99"

    init(hosts labels: [String]) throws {
        switchNamespace = try network.namespace("sw")
        try network.bridge(switchNamespace, "br0")
        for (offset, label) in labels.enumerated() {
            let number = offset + 1
            let host = try network.namespace(label)
            try network.exec(
                host, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
            try network.link(host, "eth0", switchNamespace, "p-\(label)")
            try network.ip(switchNamespace, "link", "set", "p-\(label)", "master", "br0")
            try network.ip(host, "addr", "add", "198.18.0.\(number)/24", "dev", "eth0")
            try network.ip(host, "-6", "addr", "add", "2001:2::\(number)/64", "dev", "eth0", "nodad")
            hosts[label] = host
        }
    }

    /// The namespace of host `label`.
    subscript(_ label: String) -> String { hosts[label] ?? "no-such-host-\(label)" }

    func mac(_ label: String) throws -> String { try network.mac(self[label], "eth0") }

    /// Adds a floating address (/32 or /128, nodad for IPv6) to `eth0` of host `label`.
    func addVIP(_ address: String, on label: String) throws {
        if address.contains(":") {
            try network.ip(self[label], "-6", "addr", "add", "\(address)/128", "dev", "eth0", "nodad")
        } else {
            try network.ip(self[label], "addr", "add", "\(address)/32", "dev", "eth0")
        }
    }

    /// Makes host `label` believe `address` is at `mac`, as a STALE entry (this starts its locktime).
    func setNeighbour(_ address: String, mac: String = AnnounceLab.staleMAC, on label: String) throws {
        try network.ip(
            self[label], address.contains(":") ? "-6" : "-4", "neigh", "replace", address, "lladdr", mac, "dev", "eth0",
            "nud", "stale")
    }

    /// The MAC host `label` has for `address`, or nil without an entry (`ip -j neigh show`).
    func neighbourMAC(_ address: String, on label: String) throws -> String? {
        let text = try network.ip(self[label], "-j", "neigh", "show", address, "dev", "eth0")
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let entries = json as? [[String: Any]] else { return nil }
        return entries.first { $0["dst"] as? String == address }?["lladdr"] as? String
    }

    /// Polls the entry every 10 ms for up to `limit` until it is `mac`; returns the last value seen.
    func waitForNeighbour(
        _ address: String, on label: String, toBe mac: String, limit: Duration = .seconds(1)
    ) async throws -> String? {
        let clock = ContinuousClock()
        let end = clock.now + limit
        var seen = try neighbourMAC(address, on: label)
        while seen != mac, clock.now < end {
            try await Task.sleep(for: .milliseconds(10))
            seen = try neighbourMAC(address, on: label)
        }
        return seen
    }
}
