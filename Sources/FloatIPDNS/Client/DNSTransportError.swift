/// Why one exchange with one server failed before a usable answer arrived.
public enum DNSTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (`connect`, `send`, …) with this errno text.
    case system(call: String, reason: String)
    /// No answer within the timeout. `ignored` counts UDP answers dropped for a wrong message id.
    case timedOut(afterMs: Int, ignoredWrongID: Int)
    /// The server closed the TCP connection before the whole answer arrived.
    case closed(receivedBytes: Int)

    public var description: String {
        switch self {
        case .system(let call, let reason): "\(call): \(reason)"
        case .timedOut(let ms, 0): "no answer within \(ms) ms"
        case .timedOut(let ms, let ignored):
            "no answer within \(ms) ms (ignored \(ignored) answer\(ignored == 1 ? "" : "s") with a wrong message id)"
        case .closed(let received): "the server closed the TCP connection after \(received) bytes of the answer"
        }
    }
}
