import FloatIPCore
import FloatIPLinux
import Glibc
import Synchronization

/// Peer datagrams over UDP unicast: one socket bound to this node's own address and port, sending
/// to each peer's own address. A datagram from an address that is no configured peer is still
/// handed on (with `from` nil) so the machine can count it; authentication decides, not the address.
///
/// Plain system calls, no event loop: `send` is one non-blocking `sendto` on the caller's thread;
/// the agent reads datagrams on its own loop thread (`PeerTransport`). An idle agent costs a
/// wake-up per datagram and nothing else. A failed send (ENETDOWN while the node's link is down,
/// no route, the peer's port closed) is loss, which the protocol tolerates; the socket stays
/// bound, so a node whose link comes back hears and is heard again at once.
public final class UDPTransport: PeerTransport {
    private let socket: DatagramSocket
    /// Each peer's socket address by name, and the name of each address (replaced by a reload).
    private let table: Mutex<(peers: [String: PeerSocketAddress], names: [PeerSocketAddress: String])>

    /// Binds `address:port` and prepares to send to `peers`. Throws with the address in the message
    /// when the bind fails (address not on this host, port in use, no permission).
    public static func bind(address: IPAddress, port: UInt16, peers: [PeerConfig]) async throws -> UDPTransport {
        let socket: DatagramSocket
        do {
            socket = try DatagramSocket(binding: PeerSocketAddress(address, port: port))
        } catch {
            guard error.errno == EADDRINUSE else {
                throw TransportError.bind(address: "\(address)", port: port, underlying: "\(error)")
            }
            throw TransportError.portTaken(
                address: "\(address)", port: port, owners: UDPPortOwners.uids(port: port).map(UDPPortOwners.describe))
        }
        return UDPTransport(socket: socket, peers: peers)
    }

    private init(socket: DatagramSocket, peers: [PeerConfig]) {
        self.socket = socket
        table = Mutex(Self.table(peers))
    }

    private static func table(_ peers: [PeerConfig]) -> (peers: [String: PeerSocketAddress], names: [PeerSocketAddress: String]) {
        var addresses: [String: PeerSocketAddress] = [:]
        var names: [PeerSocketAddress: String] = [:]
        for peer in peers {
            let socketAddress = PeerSocketAddress(peer.address, port: peer.port)
            addresses[peer.name] = socketAddress
            if names[socketAddress] == nil { names[socketAddress] = peer.name }
        }
        return (addresses, names)
    }

    public func setPeers(_ peers: [PeerConfig]) {
        let new = Self.table(peers)
        table.withLock { $0 = new }
    }

    deinit { socket.close() }

    public func send(_ datagram: [UInt8], to peer: String) {
        guard let address = table.withLock({ $0.peers[peer] }) else { return }
        socket.send(datagram, to: address)
    }

    public var descriptor: Int32 { socket.fd }

    public func readAvailable(_ deliver: ([UInt8], String?) -> Void) {
        let names = table.withLock { $0.names }
        socket.readAvailable { datagram, source in deliver(datagram, source.flatMap { names[$0] }) }
    }

    /// Closes the socket; later sends and reads do nothing.
    public func close() async {
        socket.close()
    }
}

/// Why the peer transport could not start.
public enum TransportError: Error, CustomStringConvertible {
    case bind(address: String, port: UInt16, underlying: String)
    /// Another socket holds the port: the agent never shares it (`owners`: who, from /proc/net/udp).
    case portTaken(address: String, port: UInt16, owners: [String])

    public var description: String {
        switch self {
        case .bind(let address, let port, let underlying):
            "cannot listen for peers on \(address) port \(port) (node.address / node.port): \(underlying); "
                + "the address must be one of this server's own addresses and the port free"
        case .portTaken(let address, let port, let owners):
            "cannot listen for peers on \(address) port \(port) (node.address / node.port): the port is held by "
                + (owners.isEmpty ? "another socket" : "a socket of " + owners.joined(separator: ", "))
                + "; another agent, or a local user squatting the peer port. floatip never shares it (a shared "
                + "port lets another program take the peers' datagrams): stop that program, or choose a port "
                + "below 1024 (only root can bind those; docs/security.md)"
        }
    }
}
