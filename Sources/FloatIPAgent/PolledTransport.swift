import FloatIPCore

/// A transport whose datagrams the agent's own loop thread reads when its socket is readable,
/// instead of a reader thread handing them over through `incoming()` (one wake-up per datagram
/// instead of two or three; see `PollLoop`).
public protocol PolledTransport: PacketTransport {
    /// The descriptor to poll for datagrams.
    var descriptor: Int32 { get }
    /// Reads what has arrived, without blocking, into `deliver` (datagram, sender's name if known).
    func readAvailable(_ deliver: ([UInt8], String?) -> Void)
}
