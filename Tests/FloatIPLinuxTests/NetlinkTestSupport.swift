import FloatIPCore
import Foundation
import Synchronization

@testable import FloatIPLinux

/// One address as `ip -j addr show` reports it: the cross-check against iproute2.
struct IPAddrEntry: Equatable {
    var local: String
    var prefixLength: Int
    var label: String?
    var validLifetime: Int
    var flags: Set<String>
}

extension TestNetwork {
    /// The addresses of `interface` in `namespace`, parsed from `ip -n NS -j addr show dev IF`.
    func addressEntries(_ namespace: String, _ interface: String) throws -> [IPAddrEntry] {
        let text = try ip(namespace, "-j", "addr", "show", "dev", interface)
        let links = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return links.flatMap { link in
            (link["addr_info"] as? [[String: Any]] ?? []).compactMap { info -> IPAddrEntry? in
                guard let local = info["local"] as? String, let length = info["prefixlen"] as? Int else { return nil }
                let flags = Set(info.compactMap { key, value in (value as? Bool) == true ? key : nil })
                return IPAddrEntry(
                    local: local, prefixLength: length, label: info["label"] as? String,
                    validLifetime: info["valid_life_time"] as? Int ?? -1, flags: flags)
            }
        }
    }

    /// Runs many `ip` commands in one process (`ip -n NS -batch FILE`), quickly enough to outrun
    /// a watcher; the temporary file is removed afterwards.
    func batch(_ namespace: String, _ commands: [String]) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(namespace).batch")
        try commands.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try ip(namespace, "-batch", file.path)
    }

    /// The entry for `address` on `interface`, or nil.
    func addressEntry(_ namespace: String, _ interface: String, _ address: String) throws -> IPAddrEntry? {
        try addressEntries(namespace, interface).first { $0.local == address }
    }
}

/// Two namespaces joined by a veth pair (`v0` in `a`, `v1` in `b`), and a RouteNetlink in `a`.
struct VethFixture {
    let network = TestNetwork()
    let a: String
    let b: String
    let netlink: RouteNetlink
    let index: Int32

    init() throws {
        (a, b) = try network.vethPair()
        netlink = try RouteNetlink(namespace: a)
        guard let link = try netlink.link(named: "v0") else { throw CommandError(arguments: ["v0"], status: 1, stderr: "no v0") }
        index = link.index
    }
}

/// Parses a CIDR text used in tests (`198.18.0.10/32`).
func prefix(_ text: String) -> IPPrefix {
    let parts = text.split(separator: "/")
    return IPPrefix(address: IPAddress(parts[0])!, length: Int(parts[1])!)
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. Bounded.
func eventually(
    timeout: Duration = .seconds(5), every interval: Duration = .milliseconds(50), _ condition: () throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try condition()
}

/// Reads a watcher's stream in the background and lets a test wait, bounded, for an event.
final class EventCollector: Sendable {
    private final class Box: Sendable {
        let events = Mutex<[NetlinkEvent]>([])
    }

    private let box = Box()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<NetlinkEvent>) {
        let box = self.box
        task = Task { for await event in stream { box.events.withLock { $0.append(event) } } }
    }

    deinit { task.cancel() }

    var all: [NetlinkEvent] { box.events.withLock { $0 } }

    /// The first event so far that satisfies `match`, waiting up to `timeout` for one.
    func first(timeout: Duration = .seconds(5), where match: @escaping (NetlinkEvent) -> Bool) async -> NetlinkEvent? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = all.first(where: match) { return event }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return all.first(where: match)
    }
}

/// Bytes from annotated hex text (golden netlink requests): each line's hex words up to the first
/// two spaces, then a comment.
func annotatedHex(_ text: String) -> [UInt8] {
    let digits = text.split(separator: "\n").flatMap { line -> [Character] in
        let code = line.components(separatedBy: "  ").first { !$0.isEmpty } ?? ""
        return code.filter(\.isHexDigit).map { $0 }
    }
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
}
