import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// The VRRP codec against what keepalived sends now: one keepalived in a namespace runs five
/// virtual routers (version 2 without and with a password, version 3 over IPv4 multicast and
/// unicast, version 3 over IPv6); a raw packet socket in the peer namespace captures their
/// advertisements. Each must decode to what the config says, and re-encode to the same bytes.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct VRRPKeepalivedCaptureTests {
    /// Captures whole IP packets of protocol 112 on ARGV[1] until every VRID in ARGV[2] (comma
    /// separated) was seen twice or ARGV[3] seconds passed; prints `FAMILY SOURCE DESTINATION HEX`
    /// (IPv6: the message after the fixed header, which carries the hop limit).
    static let capture = """
        import socket, sys, time
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        s.bind((sys.argv[1], 0)); s.settimeout(0.2)
        want = {int(v): 0 for v in sys.argv[2].split(",")}; end = time.time() + float(sys.argv[3])
        while min(want.values()) < 2 and time.time() < end:
            try: f = s.recv(2000)
            except socket.timeout: continue
            if f[12:14] == b"\\x08\\x00" and f[23] == 112:
                ip = f[14:]; vrid = ip[(ip[0] & 15) * 4 + 1]
                line = "4 - - " + ip.hex()
            elif f[12:14] == b"\\x86\\xdd" and f[20] == 112:
                ip = f[14:]; vrid = ip[41]
                line = "6 %s %s %02x%s" % (socket.inet_ntop(socket.AF_INET6, ip[8:24]), socket.inet_ntop(socket.AF_INET6, ip[24:40]), ip[7], ip[40:].hex())
            else: continue
            if vrid in want: want[vrid] += 1; print(line, flush=True)
        """

    static let config = """
        global_defs { router_id capture }
        vrrp_instance plain { state MASTER
          interface v0
          virtual_router_id 51
          priority 150
          advert_int 1
          virtual_ipaddress { 198.18.5.100/32 } }
        vrrp_instance password { state MASTER
          interface v0
          virtual_router_id 52
          priority 200
          advert_int 1
          authentication { auth_type PASS
            auth_pass abc }
          virtual_ipaddress { 198.18.5.101/32
            198.18.5.102/32 } }
        vrrp_instance v3 { state MASTER
          interface v0
          version 3
          virtual_router_id 53
          priority 100
          advert_int 0.5
          virtual_ipaddress { 198.18.5.103/32 } }
        vrrp_instance unicast { state MASTER
          interface v0
          version 3
          virtual_router_id 55
          priority 254
          advert_int 0.3
          unicast_src_ip 198.18.5.1
          unicast_peer { 198.18.5.2 }
          virtual_ipaddress { 198.18.5.105/32 } }
        vrrp_instance six { state MASTER
          interface v0
          version 3
          virtual_router_id 54
          priority 120
          advert_int 0.25
          virtual_ipaddress { 2001:2:0:5::100/64 } }
        """

    /// What each VRID's config says: version, priority, interval (as sent), addresses, password, destination.
    static let expected: [UInt8: VRRPAdvertisement] = [
        51: VRRPAdvertisement(version: 2, vrid: 51, priority: 150, interval: 1, addresses: [.ipv4(198, 18, 5, 100)]),
        52: VRRPAdvertisement(
            version: 2, vrid: 52, priority: 200, interval: 1, addresses: [.ipv4(198, 18, 5, 101), .ipv4(198, 18, 5, 102)],
            authentication: .password(Array("abc".utf8))),
        53: VRRPAdvertisement(version: 3, vrid: 53, priority: 100, interval: 50, addresses: [.ipv4(198, 18, 5, 103)]),
        54: VRRPAdvertisement(version: 3, vrid: 54, priority: 120, interval: 25, addresses: [IPAddress("2001:2:0:5::100")!]),
        55: VRRPAdvertisement(version: 3, vrid: 55, priority: 254, interval: 30, addresses: [.ipv4(198, 18, 5, 105)]),
    ]

    @Test func keepalivedsAdvertisementsDecodeAndReencodeByteForByte() throws {
        guard let keepalived = ExternalTool.find("keepalived", for: "VRRP golden bytes", package: "keepalived") else { return }
        let network = TestNetwork()
        let (a, b) = try network.vethPair()
        try network.ip(a, "addr", "add", "198.18.5.1/24", "dev", "v0")
        try network.ip(b, "addr", "add", "198.18.5.2/24", "dev", "v1")
        // keepalived needs v0's link-local address for IPv6 (no duplicate detection: it is there at once).
        try network.exec(a, "sysctl", "-qw", "net.ipv6.conf.v0.accept_dad=0")
        try network.ip(a, "link", "set", "v0", "down")
        try network.ip(a, "link", "set", "v0", "up")
        let scratch = try ScratchDirectory("floatip-vrrp")
        defer { scratch.remove() }
        try Self.config.write(toFile: scratch.file("keepalived.conf"), atomically: true, encoding: .utf8)
        try Self.capture.write(toFile: scratch.file("capture.py"), atomically: true, encoding: .utf8)
        let daemon = try ServerProcess.start(
            [keepalived, "-n", "-l", "-P", "-f", scratch.file("keepalived.conf"), "-p", scratch.file("k.pid"),
             "-r", scratch.file("vrrp.pid")],
            namespace: a, log: scratch.file("keepalived.log"))
        defer {
            let child = (try? String(contentsOfFile: scratch.file("vrrp.pid"), encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            ServerProcess.end(daemon)
            if let child, child > 1, kill(child, 0) == 0 { kill(child, SIGKILL) }
        }
        let vrids = Self.expected.keys.sorted()
        let captured = try ExternalTool.run(
            ["/usr/sbin/ip", "netns", "exec", b, "/usr/bin/python3", scratch.file("capture.py"), "v1",
             vrids.map(String.init).joined(separator: ","), "8"],
            limit: .seconds(15))
        #expect(captured.status == 0, "\(captured.stderr)")
        var seen: [UInt8: Int] = [:]
        for line in captured.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            let bytes = bytes(hex: fields[3])
            let envelope: VRRPEnvelope
            let message: ArraySlice<UInt8>
            if fields[0] == "4" {
                (envelope, message) = try VRRPCodec.splitIPv4Packet(bytes)
            } else {
                envelope = VRRPEnvelope(source: IPAddress(fields[1])!, destination: IPAddress(fields[2])!, hopLimit: bytes[0])
                message = bytes.dropFirst()
            }
            let (advert, form) = try VRRPCodec.decode(message, envelope: envelope)
            let want = try #require(Self.expected[advert.vrid])
            #expect(advert == want, "VRID \(advert.vrid): \(advert) against \(want)")
            #expect(form == (advert.version == 3 ? .pseudoHeader : .message), "keepalived's checksum form, VRID \(advert.vrid)")
            let destination: IPAddress =
                advert.vrid == 55 ? .ipv4(198, 18, 5, 2) : VRRPEnvelope.multicastGroup(ipv6: advert.isIPv6)
            #expect(envelope.destination == destination, "VRID \(advert.vrid)")
            #expect(try VRRPCodec.encode(want, envelope: envelope) == Array(message), "VRID \(advert.vrid): our bytes are keepalived's")
            seen[advert.vrid, default: 0] += 1
        }
        #expect(Set(seen.keys) == Set(vrids), "captured: \(seen); keepalived's log:\n\(ServerProcess.tail(scratch.file("keepalived.log")))")
        print("VRRP advertisements captured from keepalived and matched byte for byte: \(seen.sorted { $0.key < $1.key })")
    }
}

/// Bytes from a hex string.
private func bytes(hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
        bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}
