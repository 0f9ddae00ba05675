import Foundation
import Glibc
import Testing

/// The unit's sandbox (packaging/floatip.service) applied by hand to real agents in namespaces,
/// as far as that is possible without systemd as PID 1: its capability set, LimitCORE and
/// LimitNOFILE, a private IPC namespace, /proc/sys and /sys read-only (ProtectKernelTunables), no new
/// privileges, and a seccomp allow-list of exactly systemd's @system-service set. The agents must
/// still claim, announce (gratuitous ARP), run their hooks and fail over.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && RawHTTP.available, .namespaces))
struct UnitSandboxTests {
    /// Loads an allow-list seccomp filter (the syscall names in the file ARGV[1]; anything else
    /// kills the process) through libseccomp, then execs ARGV[2...]. libseccomp sets no_new_privs.
    static let seccomp = """
        import ctypes, os, sys
        names = open(sys.argv[1]).read().split()
        lib = ctypes.CDLL("libseccomp.so.2")
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        KILL_PROCESS, ALLOW = 0x80000000, 0x7FFF0000
        context = lib.seccomp_init(KILL_PROCESS)
        allowed = 0
        for name in names:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number < 0:
                continue  # not a system call on this architecture
            if lib.seccomp_rule_add(context, ALLOW, number, 0) == 0:
                allowed += 1
        if lib.seccomp_load(context) != 0:
            sys.exit("seccomp_load failed")
        sys.stderr.write("seccomp: %d system calls allowed\\n" % allowed)
        os.execv(sys.argv[2], sys.argv[2:])
        """

    /// The system calls of a `systemd-analyze syscall-filter` set, its nested sets expanded.
    static func syscalls(of set: String, analyze: String) throws -> [String] {
        let text = try ExternalTool.run([analyze, "syscall-filter"]).stdout
        var sets: [String: [String]] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("@") {
                current = String(line)
                continue
            }
            let entry = line.trimmingCharacters(in: .whitespaces)
            guard let current, !entry.isEmpty, !entry.hasPrefix("#") else { continue }
            sets[current, default: []].append(entry)
        }
        var result: Set<String> = []
        var pending = [set]
        var seen: Set<String> = []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            for entry in sets[next] ?? [] {
                if entry.hasPrefix("@") { pending.append(entry) } else { result.insert(entry) }
            }
        }
        return result.sorted()
    }

    @Test func theAgentClaimsAnnouncesRunsHooksAndFailsOverUnderTheUnitsRestrictions() async throws {
        guard let analyze = ExternalTool.find("systemd-analyze", for: "the @system-service set", package: "systemd") else { return }
        let unit = try SystemdUnitTests.directives()
        #expect(unit["SystemCallFilter"] == ["@system-service"])
        let nofile = try #require(unit["LimitNOFILE"]?.first)
        #expect(unit["LimitCORE"] == ["0"])
        // LimitNICE: where this process may raise RLIMIT_NICE (CAP_SYS_RESOURCE, as systemd has), the
        // agents get it and libdispatch's worker threads must get their nice values.
        let nice = try #require(unit["LimitNICE"]?.first.flatMap { Int($0) }, "LimitNICE is a signed nice level")
        let niceLimit = (try? ExternalTool.run(["/usr/bin/prlimit", "--nice=\(20 - nice):\(20 - nice)", "--", "/bin/true"]))?.status == 0
        if !niceLimit { print("LimitNICE not applied: this process may not raise RLIMIT_NICE (no CAP_SYS_RESOURCE)") }
        let capabilities = try #require(unit["CapabilityBoundingSet"]?.first).split(separator: " ")
            .map { "+" + $0.dropFirst("CAP_".count).lowercased() }.joined(separator: ",")
        let lab = try AgentLab(hooks: true)
        let list = lab.directory.appendingPathComponent("system-service.txt")
        let names = try Self.syscalls(of: "@system-service", analyze: analyze)
        #expect(names.count > 300, "\(names.count) system calls")
        try names.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let loader = lab.directory.appendingPathComponent("seccomp.py")
        try Self.seccomp.write(to: loader, atomically: true, encoding: .utf8)
        // Each program execs the next: the PID stays the agent's.
        let launcher = [
            "unshare", "--ipc", "--mount", "--propagation", "private", "--",
            "/bin/sh", "-c", "mount -o bind,ro /proc/sys /proc/sys && mount -o bind,ro /sys /sys && exec \"$@\"", "sh",
            "prlimit", "--core=0", "--nofile=\(nofile):\(nofile)"] + (niceLimit ? ["--nice=\(20 - nice):\(20 - nice)"] : []) + [
            "--", "env", "LIBDISPATCH_LOG=stderr",
            "setpriv", "--bounding-set=-all,\(capabilities)", "--inh-caps=-all,\(capabilities)",
            "--ambient-caps=-all,\(capabilities)", "--no-new-privs", "--",
            RawHTTP.python, loader.path, list.path,
        ]
        let client = try lab.addClient()
        try lab.start(1, launcher: launcher)
        try lab.start(2, launcher: launcher)
        #expect(try await lab.wait(.seconds(6)) { try lab.holders() == [1] } != nil, "\(lab.log(1))\n\(lab.log(2))")
        let pid = try #require(lab.agents["web1"]).processIdentifier
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        #expect(status.contains("Seccomp:\t2"), "a seccomp filter is loaded")
        #expect(status.contains("NoNewPrivs:\t1"))
        #expect(status.contains("CapEff:\t0000000000003000"), "CAP_NET_ADMIN and CAP_NET_RAW only: \(status)")
        let limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
        #expect(limits.range(of: #"Max core file size\s+0\s+0"#, options: .regularExpression) != nil, "\(limits)")
        #expect(limits.range(of: #"Max open files\s+\#(nofile)\s+\#(nofile)"#, options: .regularExpression) != nil, "\(limits)")
        if niceLimit {
            let refused = lab.log(1).split(separator: "\n").filter { $0.contains("Failed to set thread priority") }
            #expect(refused.isEmpty, "LimitNICE lets libdispatch set its threads' nice values: \(refused)")
        }
        let loaded = lab.log(1).split(separator: "\n").first { $0.hasPrefix("seccomp:") } ?? ""
        #expect(!loaded.isEmpty, "\(lab.log(1))")
        let read = status.split(separator: "\n").filter { line in
            ["Seccomp:", "NoNewPrivs:", "CapEff:"].contains { line.hasPrefix($0) }
        }
        print("web1 under the sandbox: \(loaded); /proc/\(pid)/status: \(read.joined(separator: ", "))")
        #expect(try await lab.wait(.seconds(3)) { lab.hookLines().contains { $0.hasPrefix("web1 holder") } } != nil,
                "the hook ran under the filter: \(lab.hookLines())")

        // The client learns web1's MAC; on failover web2's gratuitous ARP moves it.
        try lab.touchFloatingAddress(from: client)
        let mac1 = try lab.mac(1)
        let mac2 = try lab.mac(2)
        #expect(try await lab.wait(.seconds(2)) { try lab.clientNeighbour(client) == mac1 } != nil)
        try FileManager.default.removeItem(at: lab.serviceFile(1))
        #expect(try await lab.wait(.seconds(4)) { try lab.holders() == [2] } != nil, "\(lab.log(2))")
        let announced = try await lab.wait(.seconds(3)) { try lab.clientNeighbour(client) == mac2 }
        let neighbour = try lab.clientNeighbour(client) ?? "none"
        #expect(announced != nil, "web2 announced the move: the client has \(neighbour), web2 is \(mac2)")
        #expect(try await lab.wait(.seconds(3)) { lab.hookLines().contains { $0.hasPrefix("web2 holder") } } != nil,
                "\(lab.hookLines())")
        let api = try await lab.floatip(2, ["status", "--json", "--config", lab.config(2)])
        #expect(api.status == 0, "the API socket under the sandbox: \(api.stderr)")
        let running = lab.agents.values.allSatisfy { $0.isRunning }
        #expect(running, "no agent was killed by the filter:\n\(lab.log(1))\n\(lab.log(2))")
    }
}
