import Glibc

/// The lab's request/answer datagrams: a request is an 8-byte sequence number (big-endian); the
/// answer repeats it and adds the answering node's name in UTF-8.
enum LabWire {
    /// The request for sequence number `sequence`.
    static func request(_ sequence: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: sequence >> (56 - 8 * UInt64($0))) }
    }

    /// The answer to `request` from node `node` (nil if the request is too short to be one).
    static func answer(to request: ArraySlice<UInt8>, node: String) -> [UInt8]? {
        guard request.count >= 8 else { return nil }
        return Array(request.prefix(8)) + Array(node.utf8)
    }

    /// The sequence number and node name in an answer, or nil if it is not one.
    static func parseAnswer(_ bytes: ArraySlice<UInt8>) -> (sequence: UInt64, node: String)? {
        guard bytes.count > 8 else { return nil }
        let sequence = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (sequence, String(decoding: bytes.dropFirst(8), as: UTF8.self))
    }

    /// An IPv4 socket address for dotted-quad `address` and `port`.
    static func socketAddress(_ address: String, port: UInt16) -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &socketAddress.sin_addr)
        return socketAddress
    }
}

/// A UDP socket's small operations, as the responder and the probe use them.
enum LabUDP {
    /// Sends `bytes` to `address`; false if the kernel refused (no route, no neighbour yet).
    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8], to address: sockaddr_in) -> Bool {
        var target = address
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &target) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent == bytes.count
    }

    /// Waits up to `milliseconds` for a datagram; its bytes and sender, or nil on timeout.
    static func receive(_ fd: Int32, waiting milliseconds: Int32) -> (bytes: [UInt8], from: sockaddr_in)? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, max(0, milliseconds)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 512)
        var sender = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &sender) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                }
            }
        }
        guard count >= 0 else { return nil }
        return (Array(buffer.prefix(count)), sender)
    }
}
