import FloatIPLinux
import Glibc

/// The observer's own view of a namespace's IPv4 addresses: an RTM_GETADDR dump on a netlink
/// socket made inside the namespace, parsed here. Deliberately shares no code with the agent's
/// netlink layer (FloatIPLinux's Netlink*), so a bug there cannot hide itself from the judge.
final class ChaosAddressDump {
    private let fd: Int32
    private var sequence: UInt32 = 0
    private var buffer = [UInt8](repeating: 0, count: 32 * 1024)

    /// A dump socket in namespace `namespace`.
    init(namespace: String) throws(LabError) {
        do {
            // NETLINK_ROUTE is protocol 0.
            fd = try NetworkNamespace.socket(
                in: namespace, domain: AF_NETLINK, type: Int32(SOCK_RAW.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0)
        } catch {
            throw .system("observer: cannot open a netlink socket in \(namespace): \(error)")
        }
    }

    deinit { close(fd) }

    /// Whether `address` (4 bytes, network order) is configured on any interface now; nil if the
    /// dump failed or did not finish within 100 ms.
    func has(_ address: [UInt8]) -> Bool? {
        sequence &+= 1
        // nlmsghdr (16 bytes) + ifaddrmsg (8 bytes): RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_INET.
        var request = [UInt8](repeating: 0, count: 24)
        Self.put32(24, into: &request, at: 0)
        Self.put16(22, into: &request, at: 4)
        Self.put16(0x301, into: &request, at: 6)
        Self.put32(sequence, into: &request, at: 8)
        request[16] = UInt8(AF_INET)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var found = false
        for _ in 0..<64 {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { return nil }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            switch scan(count: count, for: address, sequence: sequence) {
            case .more(let seen): found = found || seen
            case .done(let seen): return found || seen
            case .failed: return nil
            }
        }
        return nil
    }

    private enum Scan { case more(Bool), done(Bool), failed }

    /// Walks the messages in `buffer[0..<count]`: RTM_NEWADDR (20) carrying `address` as IFA_LOCAL
    /// (2) or IFA_ADDRESS (1); NLMSG_DONE (3) ends the dump, NLMSG_ERROR (2) fails it.
    private func scan(count: Int, for address: [UInt8], sequence: UInt32) -> Scan {
        var offset = 0
        var seen = false
        while offset + 16 <= count {
            let length = Int(Self.get32(buffer, offset))
            let type = Self.get16(buffer, offset + 4)
            guard length >= 16, offset + length <= count else { return .failed }
            if Self.get32(buffer, offset + 8) == sequence {
                switch type {
                case 3: return .done(seen)
                case 2: return .failed
                case 20: seen = seen || attributes(from: offset + 24, to: offset + length, contain: address)
                default: break
                }
            }
            offset += (length + 3) & ~3
        }
        return .more(seen)
    }

    private func attributes(from start: Int, to end: Int, contain address: [UInt8]) -> Bool {
        var offset = start
        while offset + 4 <= end {
            let length = Int(Self.get16(buffer, offset))
            let type = Self.get16(buffer, offset + 2)
            guard length >= 4, offset + length <= end else { return false }
            if (type == 1 || type == 2), length == 8, Array(buffer[(offset + 4)..<(offset + 8)]) == address { return true }
            offset += (length + 3) & ~3
        }
        return false
    }

    // Netlink headers are in host byte order (little-endian on every machine this runs on).
    private static func put32(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    private static func put16(_ value: UInt16, into bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }

    private static func get32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private static func get16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }
}
