import FloatIPLinux
import Glibc

/// One question from the client namespace to the floating address: who answers?
public enum LabClient {
    /// Sends one request from namespace `namespace` to `address`'s responder and waits up to
    /// `timeout` for the answer; the answering node's name, or nil if none came.
    public static func ask(
        from namespace: String, address: String = LabLayout.floatingAddress, port: UInt16 = LabLayout.responderPort,
        timeout: Duration = .milliseconds(200)
    ) throws(LabError) -> String? {
        let fd = try LabProbe.socket(in: namespace)
        defer { close(fd) }
        let sequence = UInt64.random(in: 1...UInt64.max)
        let target = LabWire.socketAddress(address, port: port)
        guard LabUDP.send(fd, LabWire.request(sequence), to: target) else { return nil }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let left = deadline - clock.now
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000) + 1
            guard let (bytes, _) = LabUDP.receive(fd, waiting: milliseconds) else { continue }
            if let answer = LabWire.parseAnswer(bytes[...]), answer.sequence == sequence { return answer.node }
        }
        return nil
    }
}
