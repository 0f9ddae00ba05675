import FloatIPCore

/// Carries peer datagrams: UDP unicast to each peer's own address (`UDPTransport`), or the tests'
/// in-memory network. Sends never block (the agent sends from its decision loop); datagrams are
/// read by the agent's own loop thread when `descriptor` is readable, so a datagram arriving is
/// one wake-up of one thread (see `PollLoop`).
public protocol PeerTransport: Sendable {
    /// Sends one datagram to the named peer (best effort: loss is the protocol's problem).
    func send(_ datagram: [UInt8], to peer: String)
    /// The descriptor to poll for datagrams.
    var descriptor: Int32 { get }
    /// Reads what has arrived, without blocking, into `deliver` (datagram, sender's name if known).
    func readAvailable(_ deliver: ([UInt8], String?) -> Void)
    /// From now on, sends to `peers` (a reload changed them).
    func setPeers(_ peers: [PeerConfig])
}

extension PeerTransport {
    /// A transport that addresses peers by name alone has nothing to change.
    public func setPeers(_ peers: [PeerConfig]) {}
}
