import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// `mover: azure-lb`: its options, and the probe port open exactly while the group is held (TCP,
/// and HTTP 200 on the path), tested with real connections on 127.0.0.1.
@Suite(.serialized) struct AzureLBMoverTests {
    func problems(_ options: [String: String]) -> [String: String] {
        var check = OptionCheck(options)
        _ = AzureLBSettings.read(&check)
        return Dictionary(check.problems.map { ($0.key, $0.message) }) { first, _ in first }
    }

    func group(_ options: [String: String]) throws -> GroupConfig {
        GroupConfig(
            name: "web", addresses: [try IPPrefix.parse("198.18.0.100/32").get()], interface: nil,
            mover: MoverConfig(kind: .azureLB, options: options), priority: 100)
    }

    func mover(_ options: [String: String], lines: LogCapture = LogCapture()) throws -> AzureLBMover {
        var check = OptionCheck(options)
        let read = AzureLBSettings.read(&check)
        let settings = try #require(read, "\(check.problems)")
        return AzureLBMover(settings: settings, local: nil, node: "web1", logger: lines.logger)
    }

    @Test func optionProblemsNameTheOption() {
        #expect(problems([:])["port"]?.contains("missing") == true)
        for port in ["0", "65536", "http", "-1"] {
            #expect(problems(["port": port])["port"]?.contains("not a TCP port") == true, "\(port)")
        }
        #expect(problems(["port": "9100", "bind": "here"])["bind"]?.contains("not an IPv4 or IPv6 address") == true)
        #expect(problems(["port": "9100", "path": "healthz"])["path"]?.contains("starts with `/`") == true)
        #expect(problems(["port": "9100", "interval": "1s"])["interval"]?.contains("unknown option") == true)
        #expect(problems(["port": "9100", "bind": "127.0.0.1", "path": "/healthz"]).isEmpty)
    }

    @Test func theTCPPortIsOpenExactlyWhileHolding() async throws {
        let port = try #require(Loopback.freePort())
        let options = ["port": "\(port)", "bind": "127.0.0.1"]
        let mover = try mover(options)
        let group = try group(options)
        func open() async throws -> Bool { try await offPool { TCPExchange.accepts(host: "127.0.0.1", port: port) } }
        #expect(try await open() == false)
        #expect(try await mover.holder(of: group) == MoverHolder.none)
        try await mover.claim(group, epoch: 1)
        try await mover.claim(group, epoch: 1)  // idempotent
        #expect(try await open())
        #expect(try await mover.holder(of: group) == .this)
        #expect(mover.telemetry().providerHoldsHere == true && mover.telemetry().answer == "listening")
        try await mover.release(group, epoch: 1)
        #expect(try await open() == false)
        try await mover.release(group, epoch: 1)  // idempotent
        #expect(try await mover.holder(of: group) == MoverHolder.none)
        try await mover.announce(group)  // reopens, as a claim
        #expect(try await open())
        try await mover.release(group, epoch: 2)
    }

    @Test func theHTTPProbeAnswers200OnThePathOnly() async throws {
        let port = try #require(Loopback.freePort())
        let options = ["port": "\(port)", "bind": "127.0.0.1", "path": "/healthz"]
        let mover = try mover(options)
        let group = try group(options)
        func get(_ request: String) async throws -> String? {
            try await offPool { TCPExchange.exchange(host: "127.0.0.1", port: port, send: request) }
        }
        try await mover.claim(group, epoch: 1)
        let ok = try await get("GET /healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(ok?.hasPrefix("HTTP/1.1 200 OK\r\n") == true, "\(ok ?? "nil")")
        let head = try await get("HEAD /healthz HTTP/1.0\r\n\r\n")
        #expect(head?.hasPrefix("HTTP/1.1 200 OK") == true && head?.hasSuffix("\r\n\r\n") == true, "\(head ?? "nil")")
        #expect(ok?.hasSuffix("\r\n\r\n200 OK\n") == true)
        #expect(try await get("GET / HTTP/1.1\r\nHost: x\r\n\r\n")?.hasPrefix("HTTP/1.1 404") == true)
        #expect(try await get("POST /healthz HTTP/1.1\r\n\r\n")?.hasPrefix("HTTP/1.1 405") == true)
        #expect(try await get("garbage\r\n\r\n")?.hasPrefix("HTTP/1.1 400") == true)
        // Sent in pieces, answered once whole.
        #expect(try await get("GET /healthz HTTP/1.1\r\nHost: x\r\n")?.hasPrefix("HTTP/1.1") != true)
        try await mover.release(group, epoch: 1)
        #expect(try await get("GET /healthz HTTP/1.1\r\n\r\n") == nil)
    }

    @Test func aTakenPortFailsTheClaimNamingTheOption() async throws {
        let port = try #require(Loopback.freePort())
        let options = ["port": "\(port)", "bind": "127.0.0.1"]
        let first = try mover(options)
        let group = try group(options)
        try await first.claim(group, epoch: 1)
        let lines = LogCapture()
        let second = try mover(options, lines: lines)
        do {
            try await second.claim(group, epoch: 2)
            Issue.record("two movers listened on one port")
        } catch let error as AzureLBError {
            #expect("\(error)".contains("group web: cannot answer the load balancer's probe on 127.0.0.1:\(port) (mover.port"))
            #expect("\(error)".lowercased().contains("in use"), "\(error)")
        }
        #expect(second.telemetry().lastError != nil && second.telemetry().failures == 1)
        #expect(lines.messages.contains { $0.contains("cannot answer") })
        try await first.release(group, epoch: 1)
    }
}
