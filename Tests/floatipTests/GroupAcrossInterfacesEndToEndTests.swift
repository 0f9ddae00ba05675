import FloatIPCore
import Foundation
import Glibc
import Testing

/// A group across interfaces (docs/config.md, "Addresses on several interfaces"), with two real agents:
/// the group's LAN address goes on `eth0`, its WAN address on `eth1`, both on the same node at every
/// moment the watch samples. The holder's WAN link going down faults it (every link of the group is
/// tracked), and both addresses move to the standby together; a kill -9 moves both again.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct GroupAcrossInterfacesEndToEndTests {
    @Test func bothAddressesMoveTogetherOnALinkFailureAndAKill() async throws {
        let lab = try AgentLab(wan: true)
        try lab.start(1)
        try lab.start(2)
        let lan = try NetlinkHolders(lab)
        let wan = try NetlinkHolders(lab, vip: AgentLab.wanVIP)
        // The watch records the nodes holding either address, and fails the pairing when they differ
        // for longer than a move takes on one node (both are added in one claim, within milliseconds).
        var splitSince: ContinuousClock.Instant?
        var longestSplit: Duration = .zero
        let watch = HolderWatch {
            let (a, b) = (try lan.holders(), try wan.holders())
            if a != b {
                let since = splitSince ?? .now
                splitSince = since
                longestSplit = max(longestSplit, .now - since)
            } else {
                splitSince = nil
            }
            return Array(Set(a + b)).sorted()
        }
        let first = try await watch.until(.seconds(10)) { $0 == [1] }
        #expect(first != nil, "web1 never held\n\(lab.log(1))")
        guard first != nil else { return }
        #expect(try lan.holders() == [1] && wan.holders() == [1], "web1 holds both addresses")
        let onEth1 = try lab.network.ip(lab.namespace(1), "-o", "addr", "show", "dev", "eth1")
        #expect(onEth1.contains("\(AgentLab.wanVIP)/32"), "the WAN address is on eth1: \(onEth1)")

        // web1's WAN link goes down: the group is in fault there, and both addresses go to web2.
        try lab.network.ip(lab.namespace(1), "link", "set", "eth1", "down")
        let moved = try await watch.until(.seconds(5)) { $0 == [2] }
        #expect(moved != nil, "both addresses never moved to web2\n\(lab.log(1))\n\(lab.log(2))")
        #expect(try lan.holders() == [2] && wan.holders() == [2], "web2 holds both addresses")
        let json = try await lab.floatip(1, ["status", "--config", lab.config(1), "--json"])
        let status = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let group = (status?["groups"] as? [[String: Any]])?.first
        #expect(group?["role"] as? String == "fault", "\(json.stdout)")
        #expect((group?["reason"] as? String)?.contains("link eth1") == true, "\(json.stdout)")

        // web1's link returns (it takes the group back after the rise window and preempt_delay); then a kill -9.
        try lab.network.ip(lab.namespace(1), "link", "set", "eth1", "up")
        let back = try await watch.until(.seconds(10)) { $0 == [1] }
        #expect(back != nil, "web1 never took the group back\n\(lab.log(1))")
        lab.signal(1, SIGKILL)
        let again = try await watch.until(.seconds(5)) { $0 == [2] }
        #expect(again != nil, "web2 never took both addresses after web1 was killed\n\(lab.log(2))")
        print("longest time one address was on another node than the other: \(longestSplit.shortDescription)")
        // One claim adds both; one release removes both: a split longer than this is a group torn in two.
        #expect(longestSplit < .milliseconds(100), "split for \(longestSplit.shortDescription)")
    }
}
