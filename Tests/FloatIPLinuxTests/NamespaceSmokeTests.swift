import Glibc
import Testing

@testable import FloatIPLinux

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct NamespaceSmokeTests {
    @Test func socketIsMadeInsideTheNamedNamespace() throws {
        let network = TestNetwork()
        let a = try network.namespace("a")
        try network.link(a, "v0", try network.namespace("b"), "v1")
        let fd = try NetworkNamespace.socket(in: a, domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
        defer { close(fd) }
        // if_nametoindex is per namespace; SIOCGIFINDEX through the socket sees the namespace's interfaces.
        var request = ifreq()
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { buffer in
            for (index, byte) in "v0".utf8.enumerated() { buffer[index] = byte }
        }
        #expect(ioctl(fd, UInt(SIOCGIFINDEX), &request) == 0, "v0 exists inside \(a)")
        let outside = try NetworkNamespace.socket(in: try network.namespace("c"), domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
        defer { close(outside) }
        #expect(ioctl(outside, UInt(SIOCGIFINDEX), &request) == -1, "v0 does not exist in another namespace")
    }

    @Test func unknownNamespaceIsAClearError() {
        #expect(throws: SystemError.self) {
            try NetworkNamespace.socket(in: "fip-no-such-namespace", domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
        }
    }
}
