import FloatIPAgent
import FloatIPCore
import FloatIPLinux
import Foundation

extension AgentAssembly {
    /// One speaker per `protocol: vrrp` group, made suspended (the checks' first results run it) and
    /// handed to the agent with the stream of its decisions. Throws `AgentAssemblyError` naming the
    /// group: an unreadable `auth_pass_file`, a socket the system refuses (no CAP_NET_RAW, no such
    /// interface, the node's address not on it).
    static func attachVRRP(_ cluster: ClusterConfig, to agent: AgentCore) async throws -> [VRRPSpeaker] {
        var speakers: [VRRPSpeaker] = []
        do {
            for group in cluster.groups {
                guard let vrrp = group.vrrp, let interface = group.interface else { continue }
                let password = try vrrp.authPassFile.map { try VRRPPassword.read($0, group: group.name) }
                let source: IPAddress
                do {
                    source = try Self.vrrpSource(group: group, vrrp: vrrp, node: cluster.node, interface: interface)
                } catch {
                    throw AgentAssemblyError("group \(group.name): an IPv6 virtual router advertises from the link-local "
                        + "address of \(interface), and it has none: \(error)")
                }
                guard let router = group.vrrpRouter(node: cluster.node, source: source, password: password) else { continue }
                let socket: VRRPSocket
                do {
                    socket = try VRRPSocket(interface: interface, source: source)
                } catch {
                    throw AgentAssemblyError("group \(group.name): cannot open the VRRP socket on \(interface) from "
                        + "\(source): \(error) (the agent needs CAP_NET_RAW, and "
                        + (source == cluster.node.address ? "node.address must be on \(interface)" : "the link-local address must not be tentative") + ")")
                }
                let (decisions, decided) = AsyncStream.makeStream(of: Bool.self)
                let speaker = try VRRPSpeaker(
                    config: router, socket: socket,
                    destination: vrrp.unicastPeers.isEmpty ? .multicast : .unicast(vrrp.unicastPeers),
                    form: vrrp.checksumForm, running: false,
                    claim: { decided.yield(true) }, release: { decided.yield(false) })
                speakers.append(speaker)
                await agent.attachVRRP(group: group.name, speaker: speaker, decisions: decisions)
            }
        } catch {
            for speaker in speakers { speaker.stop() }
            if let error = error as? AgentAssemblyError { throw error }
            throw AgentAssemblyError("\(error)")
        }
        return speakers
    }
}

extension AgentAssembly {
    /// Where a virtual router advertises from, as keepalived: IPv4, node.address; IPv6 multicast, the
    /// interface's link-local address (RFC 5798); IPv6 unicast, node.address when it is IPv6 (keepalived's
    /// `unicast_src_ip`), else the link-local address (keepalived's default).
    static func vrrpSource(group: GroupConfig, vrrp: VRRPGroupConfig, node: NodeConfig, interface: String) throws -> IPAddress {
        guard group.isIPv6 else { return node.address }
        if !vrrp.unicastPeers.isEmpty, !node.address.isIPv4 { return node.address }
        return try VRRPSocket.linkLocalAddress(of: interface)
    }
}

/// keepalived's `auth_type PASS` password from a group's `vrrp.auth_pass_file`: the file's text with
/// surrounding white space trimmed, 1 to 8 bytes, the file kept like the cluster's secret (owner, mode).
public enum VRRPPassword {
    public static func read(_ path: String, group: String, client: Bool = false) throws(AgentAssemblyError) -> [UInt8] {
        let field = "group \(group): vrrp.auth_pass_file"
        if let refusal = SecretFileRule.check(path, owner: !client).refusal {
            throw AgentAssemblyError("\(field): \(refusal)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentAssemblyError("\(field) \(path): cannot read it (missing or no permission)")
        }
        let password = Array(KeyFile.key(in: data).utf8)
        guard (1...8).contains(password.count) else {
            throw AgentAssemblyError("\(field) \(path): holds \(password.count) bytes; VRRP's password is 1 to 8 bytes "
                + "(keepalived's `auth_pass`)")
        }
        return password
    }
}
