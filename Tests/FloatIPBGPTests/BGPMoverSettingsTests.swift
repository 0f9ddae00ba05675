import FloatIPBGP
import FloatIPCore
import Testing

/// `mover: bgp`'s options: defaults, peers with their own AS, and every bad value named by its key.
@Suite struct BGPMoverSettingsTests {
    static let node = IPAddress("198.18.0.1")!

    static func read(_ options: [String: String], addresses: [String] = ["198.18.0.100/32"]) -> (BGPMoverSettings?, [String]) {
        let prefixes = addresses.map { text -> IPPrefix in
            let parts = text.split(separator: "/")
            return IPPrefix(address: IPAddress(parts[0])!, length: Int(parts[1])!)
        }
        var check = OptionCheck(options, nodeAddress: node, addresses: prefixes)
        let settings = BGPMoverSettings.read(&check)
        return (settings, check.problems.map { "\($0.key): \($0.message)" })
    }

    @Test func defaultsComeFromTheNode() throws {
        let (settings, problems) = Self.read(["local_asn": "65001", "peer_asn": "65000", "peers": "198.18.0.254"])
        #expect(problems == [])
        let read = try #require(settings)
        #expect(read.routerID == Self.node)
        #expect(read.peers == [BGPPeerSettings(address: IPAddress("198.18.0.254")!, asn: 65000)])
        #expect(read.holdTime == 9)
        #expect(read.nextHops == [Self.node])
        #expect(read.localPreference == 100 && read.med == nil && read.communities == [])
        #expect(read.drain == .milliseconds(200))
        let draining = read.draining(read.routes(for: [IPPrefix(address: IPAddress("198.18.0.100")!, length: 32)]))
        #expect(draining.first?.med == UInt32.max && draining.first?.communities == [0xFFFF_0000])
        // A /24 written in the group is still announced as the host route.
        let routes = read.routes(for: [IPPrefix(address: IPAddress("198.18.0.100")!, length: 24)])
        #expect(routes.map(\.prefix.description) == ["198.18.0.100/32"])
        #expect(routes.first?.nextHops == [Self.node])
        #expect(read.session(read.peers[0]) == BGPSessionConfig(localASN: 65001, peerASN: 65000, routerID: 0xC612_0001, holdTime: 9))
    }

    @Test func everyOptionIsRead() throws {
        let (settings, problems) = Self.read(
            ["local_asn": "1.10", "peers": "198.18.0.253 as 65010, 2001:2::fe as 4200000000", "port": "1179",
             "router_id": "198.18.9.9", "hold_time": "30s", "password_file": "/etc/floatip/bgp", "next_hop": "2001:2::1",
             "med": "20", "local_pref": "200", "communities": "65000:100, graceful_shutdown"],
            addresses: ["198.18.0.100/32", "2001:2::100/128"])
        #expect(problems == [])
        let read = try #require(settings)
        #expect(read.localASN == 65546)
        #expect(read.peers.map(\.asn) == [65010, 4_200_000_000] && read.peers.allSatisfy { $0.port == 1179 })
        #expect(read.routerID == IPAddress("198.18.9.9") && read.holdTime == 30 && read.passwordFile == "/etc/floatip/bgp")
        #expect(read.nextHops == [IPAddress("2001:2::1")!, Self.node])
        #expect(read.med == 20 && read.localPreference == 200 && read.communities == [0xFDE8_0064, 0xFFFF_0000])
        let routes = read.routes(for: [IPPrefix(address: IPAddress("2001:2::100")!, length: 64)])
        #expect(routes.first?.prefix.description == "2001:2::100/128" && routes.first?.nextHops == [IPAddress("2001:2::1")!])
    }

    @Test(arguments: [
        (["peers": "198.18.0.254", "peer_asn": "65000"], "local_asn: missing"),
        (["local_asn": "0", "peers": "198.18.0.254", "peer_asn": "65000"], "local_asn: `0` is not an AS number"),
        (["local_asn": "65001", "peers": "198.18.0.254"], "peers: `198.18.0.254` names no AS"),
        (["local_asn": "65001", "peers": "router1", "peer_asn": "65000"], "peers: `router1` is not an address"),
        (["local_asn": "65001", "peers": "198.18.0.254 asn 65000"], "peers: `198.18.0.254 asn 65000`: write `ADDRESS` or `ADDRESS as ASN`"),
        (["local_asn": "65001", "peers": "198.18.0.254, 198.18.0.254", "peer_asn": "65000"], "peers: 198.18.0.254 is listed twice"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "hold_time": "2s"], "hold_time: `2s` is not a BGP hold time"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "router_id": "2001:2::1"], "router_id: `2001:2::1` is not an IPv4 address"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "communities": "65000"], "communities: `65000` is not a community"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "password_file": "bgp.pw"], "password_file: `bgp.pw` is not an absolute path"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "multihop": "2"], "multihop: unknown option for the `bgp` mover"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "drain": "1h"], "drain: at most 30s"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "mode": "ecmp"], "mode: `ecmp` is not a mode"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "bfd_interval": "50ms"], "bfd_interval: has no effect without `bfd: true`"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "bfd": "yes"], "bfd: `yes` must be `true` or `false`"),
        (["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "bfd": "true", "bfd_multiplier": "0"], "bfd_multiplier: `0` is not a BFD detect multiplier"),
        (["local_asn": "65001", "peers": "2001:2::fe", "peer_asn": "65000", "bfd": "true"], "bfd: BFD runs with IPv4 peers only for now"),
    ])
    func badOptionsAreNamed(options: [String: String], message: String) {
        let (settings, problems) = Self.read(options)
        #expect(settings == nil)
        #expect(problems.contains { $0.hasPrefix(message) }, "\(problems)")
    }

    @Test func bfdDefaultsToThreeTimesAHundredMilliseconds() throws {
        let (settings, problems) = Self.read(["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "bfd": "true"])
        #expect(problems == [])
        let bfd = try #require(settings?.bfd)
        #expect(bfd.session(discriminator: 7) == BFDSession.Config(discriminator: 7, desiredMinTx: 100_000, requiredMinRx: 100_000, detectMultiplier: 3))
        let (faster, _) = Self.read(["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000", "bfd": "true",
                                     "bfd_interval": "50ms", "bfd_multiplier": "5"])
        #expect(faster?.bfd?.session(discriminator: 1).desiredMinTx == 50_000 && faster?.bfd?.multiplier == 5)
    }

    @Test func anIPv6AddressNeedsAnIPv6NextHop() {
        let (settings, problems) = Self.read(["local_asn": "65001", "peers": "198.18.0.254", "peer_asn": "65000"],
                                             addresses: ["2001:2::100/128"])
        #expect(settings == nil)
        #expect(problems.contains { $0.hasPrefix("next_hop: the group's 2001:2::100 needs an IPv6 next hop") }, "\(problems)")
    }
}
