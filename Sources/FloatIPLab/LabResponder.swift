import Glibc

/// The small service on every node: answers each UDP request on port 7480 with the node's name,
/// so the client can tell who holds the floating address. Runs inside the node's namespace
/// (`floatip lab responder`, started through `ip netns exec`).
public enum LabResponder {
    /// Answers requests until `lifetime` has passed or `maximumAnswers` were sent (both bounds
    /// keep a forgotten responder from running forever).
    public static func run(
        node: String, port: UInt16 = LabLayout.responderPort, lifetime: Duration = .seconds(6 * 3600),
        maximumAnswers: Int = 20_000_000
    ) throws(LabError) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("responder socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = LabWire.socketAddress("0.0.0.0", port: port)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw .system("responder bind to port \(port): \(String(cString: strerror(errno)))") }
        let clock = ContinuousClock()
        let deadline = clock.now + lifetime
        var answers = 0
        while answers < maximumAnswers, clock.now < deadline {
            guard let (request, sender) = LabUDP.receive(fd, waiting: 1000) else { continue }
            guard let answer = LabWire.answer(to: request[...], node: node) else { continue }
            LabUDP.send(fd, answer, to: sender)
            answers += 1
        }
    }
}
