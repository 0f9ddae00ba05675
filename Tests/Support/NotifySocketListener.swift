import Foundation
import Glibc

/// A datagram socket that stands in for systemd's notification socket in tests: bound to a fresh
/// path under the temporary directory (or to an abstract name), it collects what a service sends
/// to `$NOTIFY_SOCKET`. Closed and unlinked on deinit.
public final class NotifySocketListener: @unchecked Sendable {
    /// The value for `$NOTIFY_SOCKET`: the path, or `@name` for an abstract socket.
    public let name: String
    private let descriptor: Int32
    private let path: String?

    /// Binds a new socket; `abstract` binds in the abstract namespace (per network namespace!).
    public init(abstract: Bool = false) throws {
        let unique = "floatip-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        path = abstract ? nil : FileManager.default.temporaryDirectory.appendingPathComponent(unique).path
        name = path ?? "@\(unique)"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw NotifySocketError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw NotifySocketError("bind \(name): \(reason)")
        }
        // Anyone may send (the agent may run as another user in some tests).
        if let path { chmod(path, 0o666) }
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram, or nil if none arrives within `timeout`. Blocks: call it off the pool.
    public func receive(timeout: Duration) -> String? {
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, max(0, milliseconds)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    /// Every datagram until `stop` says a datagram is the last wanted or `limit` passes; bounded in time.
    public func collect(for limit: Duration, until stop: (String) -> Bool) -> [String] {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var messages: [String] = []
        while clock.now < deadline, let message = receive(timeout: deadline - clock.now) {
            messages.append(message)
            if stop(message) { break }
        }
        return messages
    }
}

/// The test's notification socket could not be set up.
public struct NotifySocketError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
