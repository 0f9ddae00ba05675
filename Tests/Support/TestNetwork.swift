import Foundation

// Shared by the test targets that need real interfaces (a library target, so both the Linux-layer
// tests and the command-line tests use the same namespace handling).

/// Whether tests that need root and network namespaces can run on this machine.
public enum NamespaceSupport {
    public static let available: Bool = getuid() == 0 && (try? command(["ip", "netns", "list"])) != nil
    /// Why such a test is skipped (use as `.enabled(if: NamespaceSupport.available, .namespaces)`).
    public static let reason = "needs root and network namespaces (run as root with iproute2 installed)"
}

/// Runs a program and returns its standard output; throws with its standard error if it fails.
@discardableResult
public func command(_ arguments: [String]) throws -> String {
    let run = try ExternalTool.run(["/usr/bin/env"] + arguments, limit: .seconds(600))
    guard run.status == 0 else {
        throw CommandError(arguments: arguments, status: run.status, stderr: run.stderr, stdout: run.stdout)
    }
    return run.stdout
}

public struct CommandError: Error, CustomStringConvertible {
    public var arguments: [String]
    public var status: Int32
    public var stderr: String
    /// What it printed before it failed (some tools, like arping, exit 1 with useful output).
    public var stdout: String
    public var description: String { "\(arguments.joined(separator: " ")) exited \(status): \(stderr)" }

    public init(arguments: [String], status: Int32, stderr: String, stdout: String = "") {
        self.arguments = arguments
        self.status = status
        self.stderr = stderr
        self.stdout = stdout
    }
}

/// Network namespaces a test creates, with unique names per run, removed (with everything in
/// them: veths, bridges, addresses) when the value is released, also when the test fails.
/// Addresses used in tests come from 198.18.0.0/15 and 2001:2::/48 only; namespaces have no route out.
public final class TestNetwork {
    public let prefix: String
    public private(set) var namespaces: [String] = []

    public init() {
        _ = Self.leftoversSwept
        prefix = "fip\(getpid())x\(UInt32.random(in: 0...0xFFFFF))"
    }

    /// Once per test process: removes the namespaces of test processes that are gone. `deinit`
    /// removes a test's namespaces, but never runs when the process crashes or is killed at a
    /// timeout; the PID in the name (`fipPIDx…`) says whose they were, and a running process's are
    /// left alone (parallel runs stay apart).
    static let leftoversSwept: Void = {
        guard let list = try? command(["ip", "netns", "list"]) else { return }
        for line in list.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix("fip"), let x = name.firstIndex(of: "x"), name.contains("-"),
                let pid = Int32(name[name.index(name.startIndex, offsetBy: 3)..<x]),
                pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            _ = try? command(["ip", "netns", "del", name])
        }
    }()

    deinit {
        for name in namespaces.reversed() { _ = try? command(["ip", "netns", "del", name]) }
    }

    /// A new namespace `PREFIX-label` with loopback up.
    public func namespace(_ label: String) throws -> String {
        let name = "\(prefix)-\(label)"
        try command(["ip", "netns", "add", name])
        namespaces.append(name)
        try ip(name, "link", "set", "lo", "up")
        return name
    }

    /// `ip -n NAMESPACE …`.
    @discardableResult
    public func ip(_ namespace: String, _ arguments: String...) throws -> String {
        try command(["ip", "-n", namespace] + arguments)
    }

    /// Runs a program inside a namespace (`ip netns exec`).
    @discardableResult
    public func exec(_ namespace: String, _ arguments: String...) throws -> String {
        try command(["ip", "netns", "exec", namespace] + arguments)
    }

    /// A veth pair between two namespaces, both ends up (interface names of at most 15 bytes).
    public func link(_ a: String, _ aName: String, _ b: String, _ bName: String) throws {
        try ip(a, "link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b)
        try ip(a, "link", "set", aName, "up")
        try ip(b, "link", "set", bName, "up")
    }

    /// Two new namespaces `PREFIX-a` and `PREFIX-b` joined by a veth pair (`v0` in a, `v1` in b), both ends up.
    public func vethPair() throws -> (a: String, b: String) {
        let pair = (a: try namespace("a"), b: try namespace("b"))
        try link(pair.a, "v0", pair.b, "v1")
        return pair
    }

    /// A bridge (the lab's switch) in `namespace`, up.
    public func bridge(_ namespace: String, _ name: String) throws {
        try ip(namespace, "link", "add", name, "type", "bridge")
        try ip(namespace, "link", "set", name, "up")
    }

    /// The MAC address of an interface, lower case (`aa:bb:…`).
    public func mac(_ namespace: String, _ interface: String) throws -> String {
        let text = try ip(namespace, "-o", "link", "show", interface)
        guard let range = text.range(of: "link/ether ") else { throw CommandError(arguments: ["mac"], status: 1, stderr: text) }
        return String(text[range.upperBound...].prefix(17))
    }
}
