import FloatIPCore
import CFloatIPLinux
import Glibc

/// sendto(2) of `message` to a socket address struct (`sockaddr_in`, `sockaddr_in6`, `sockaddr_ll`).
func sendDatagram<Address>(
    _ fd: Int32, _ message: [UInt8], to address: inout Address, flags: Int32 = 0
) throws(SystemError) {
    let length = socklen_t(MemoryLayout<Address>.size)
    try syscall("sendto") {
        message.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                    Glibc.sendto(fd, bytes.baseAddress, bytes.count, flags, target, length)
                }
            }
        }
    }
}

/// sendto(2) of `message` to `address` (IPv4 or IPv6; `port` for UDP, 0 for raw sockets; `scope`:
/// the interface index an IPv6 link-local or multicast destination needs), without waiting.
func sendDatagram(_ fd: Int32, _ message: [UInt8], to address: IPAddress, port: UInt16 = 0, scope: Int32 = 0) throws(SystemError) {
    switch address {
    case .v4(let value):
        var destination = socketAddress4(value, port: port)
        try sendDatagram(fd, message, to: &destination, flags: Int32(MSG_DONTWAIT))
    case .v6:
        var destination = socketAddress6(address, scope: scope)
        destination.sin6_port = port.bigEndian
        try sendDatagram(fd, message, to: &destination, flags: Int32(MSG_DONTWAIT))
    }
}

/// An IPv4 address (as a number) and port as a sockaddr_in.
func socketAddress4(_ address: UInt32, port: UInt16 = 0) -> sockaddr_in {
    var result = sockaddr_in()
    result.sin_family = sa_family_t(AF_INET)
    result.sin_port = port.bigEndian
    result.sin_addr.s_addr = address.bigEndian
    return result
}

/// `address` as a sockaddr_in6 with `scope` (an interface index; 0: none).
func socketAddress6(_ address: IPAddress, scope: Int32 = 0) -> sockaddr_in6 {
    var result = sockaddr_in6()
    result.sin6_family = sa_family_t(AF_INET6)
    result.sin6_scope_id = UInt32(scope)
    withUnsafeMutableBytes(of: &result.sin6_addr) { $0.copyBytes(from: address.bytes) }
    return result
}

/// Sets an ICMPv6 filter on a raw ICMPv6 socket that passes only the `passing` types (none: blocks all).
func setICMPv6Filter(_ fd: Int32, passing types: [UInt8]) throws(SystemError) {
    var filter = icmp6_filter()
    withUnsafeMutableBytes(of: &filter) { bytes in
        for offset in bytes.indices { bytes[offset] = 0xFF }  // a set bit blocks a type
        bytes.withMemoryRebound(to: UInt32.self) { words in
            for type in types { words[Int(type >> 5)] &= ~(UInt32(1) << UInt32(type & 31)) }
        }
    }
    try syscall("setsockopt ICMP6_FILTER") {
        setsockopt(fd, Int32(IPPROTO_ICMPV6), ICMP6_FILTER, &filter, socklen_t(MemoryLayout<icmp6_filter>.size))
    }
}

/// setsockopt(2) of a plain value; the error names the option (`name`).
func setSocketOption<Value: BitwiseCopyable>(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Value, _ name: String) throws(SystemError) {
    var copy = value
    try syscall("setsockopt \(name)") { setsockopt(fd, level, option, &copy, socklen_t(MemoryLayout<Value>.size)) }
}

/// setsockopt(2) of raw bytes.
func setSocketOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ bytes: [UInt8], _ name: String) throws(SystemError) {
    try syscall("setsockopt \(name)") { bytes.withUnsafeBytes { setsockopt(fd, level, option, $0.baseAddress, socklen_t($0.count)) } }
}

/// bind(2) to a sockaddr_in or sockaddr_in6; the error names the address (`name`).
func bindSocket<Address>(_ fd: Int32, _ address: inout Address, _ name: String) throws(SystemError) {
    try syscall("bind \(name)") {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }
}
