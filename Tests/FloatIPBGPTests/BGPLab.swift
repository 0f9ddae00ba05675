import FloatIPTestSupport
import Foundation

/// A router (AS 65000, 198.18.5.1, 2001:2:5::1) and a floatip node (AS 65001, 198.18.5.2,
/// 2001:2:5::2) on one veth in namespaces of their own, for the BGP and BFD tests; removed with it.
final class BGPLab {
    static let routerAddress = "198.18.5.1"
    static let nodeAddress = "198.18.5.2"
    let network = TestNetwork()
    let router: String
    let node: String

    init() throws {
        router = try network.namespace("rt")
        node = try network.namespace("nd")
        try network.link(router, "eth0", node, "eth0")
        for (namespace, number) in [(router, 1), (node, 2)] {
            try network.ip(namespace, "addr", "add", "198.18.5.\(number)/24", "dev", "eth0")
            try network.ip(namespace, "-6", "addr", "add", "2001:2:5::\(number)/64", "dev", "eth0", "nodad")
        }
    }

    /// BIRD on the router, peering with the node, started.
    func bird(password: String? = nil) throws -> BIRDRouter {
        let bird = try BIRDRouter(namespace: router, address: Self.routerAddress, asn: 65000, peer: Self.nodeAddress, peerASN: 65001,
                                  password: password)
        try bird.start()
        return bird
    }

    /// FRR's bgpd on the router, peering with the node, started.
    func frr(holdTime: Int) throws -> FRRBGPRouter {
        let frr = try FRRBGPRouter(namespace: router, address: Self.routerAddress, asn: 65000, peer: Self.nodeAddress, peerASN: 65001,
                                   holdTime: holdTime)
        try frr.start()
        return frr
    }
}
