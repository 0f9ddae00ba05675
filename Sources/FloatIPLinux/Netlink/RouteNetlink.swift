import CFloatIPLinux
import Glibc
import Synchronization

/// A request socket for rtnetlink (NETLINK_ROUTE): add, delete and list addresses, list links.
///
/// Every request carries NLM_F_ACK and its own sequence number, and waits for the kernel's
/// answer: the acknowledgement, an error (with the kernel's extended-ack text, NETLINK_EXT_ACK),
/// or for a dump the NLMSG_DONE after the last datagram. A dump the kernel marks as interrupted
/// (NLM_F_DUMP_INTR: the table changed meanwhile) is repeated. Requests are serialised; the
/// type is safe to share between tasks. Calls block for microseconds (about 10 µs to the ack),
/// at most `replyTimeout` seconds if the kernel never answers.
public final class RouteNetlink: Sendable {
    /// How long one receive waits for the kernel before the request fails with ETIMEDOUT.
    static let replyTimeout = 5
    /// How many times a dump interrupted by concurrent changes is tried before giving up.
    static let dumpAttempts = 5

    let socket: NetlinkSocket
    /// The namespace the socket lives in (nil: the process's own).
    public let namespace: String?
    private let sequence = Mutex<UInt32>(0)

    /// Opens a request socket in the named network namespace (`ip netns`), or in the current one.
    public init(namespace: String? = nil) throws(NetlinkError) {
        let operation = "open rtnetlink socket" + (namespace.map { " in namespace \($0)" } ?? "")
        do {
            socket = try NetlinkSocket.open(namespace: namespace)
        } catch {
            throw NetlinkError(operation: operation, error)
        }
        do {
            try socket.setReceiveTimeout(seconds: Self.replyTimeout)
        } catch {
            socket.close()
            throw NetlinkError(operation: operation, error)
        }
        self.namespace = namespace
    }

    deinit { socket.close() }

    /// Sends the request `build(sequence)` and collects the messages that answer it, up to the
    /// acknowledgement, an error or NLMSG_DONE. Throws the kernel's error as `NetlinkError`.
    func exchange(
        operation: @autoclosure () -> String, _ build: (UInt32) -> [UInt8]
    ) throws(NetlinkError) -> (messages: [NetlinkMessage], interrupted: Bool) {
        do {
            return try sequence.withLock { (sequence: inout UInt32) throws -> ([NetlinkMessage], Bool) in
                sequence &+= 1
                let number = sequence
                try socket.send(build(number))
                var messages: [NetlinkMessage] = []
                var interrupted = false
                while true {
                    let datagram: [UInt8]
                    do {
                        datagram = try socket.receive()
                    } catch let error as SystemError where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
                        throw NetlinkError(
                            operation: operation(), errno: ETIMEDOUT,
                            detail: "no answer from the kernel within \(Self.replyTimeout) s")
                    }
                    for message in try NetlinkMessage.split(datagram) where message.sequence == number {
                        if message.flags & RT.dumpInterrupted != 0 { interrupted = true }
                        if let ack = try NetlinkAck(message) {
                            guard ack.errno == 0 else {
                                throw NetlinkError(operation: operation(), errno: ack.errno, kernelMessage: ack.message)
                            }
                            return (messages, interrupted)
                        }
                        if message.type != RT.noop { messages.append(message) }
                    }
                }
            }
        } catch let error as NetlinkError {
            throw error
        } catch let error as SystemError {
            throw NetlinkError(operation: operation(), error)
        } catch let error as NetlinkDecodeError {
            throw NetlinkError(operation: operation(), error)
        } catch {
            throw NetlinkError(operation: operation(), errno: EIO, detail: "\(error)")
        }
    }

    /// A dump request, repeated while the kernel marks it interrupted (NLM_F_DUMP_INTR).
    func dump(operation: @autoclosure () -> String, _ build: (UInt32) -> [UInt8]) throws(NetlinkError) -> [NetlinkMessage] {
        for _ in 1...Self.dumpAttempts {
            let (messages, interrupted) = try exchange(operation: operation(), build)
            if !interrupted { return messages }
        }
        throw NetlinkError(
            operation: operation(), errno: EINTR,
            detail: "the dump was interrupted by concurrent changes \(Self.dumpAttempts) times in a row")
    }
}
