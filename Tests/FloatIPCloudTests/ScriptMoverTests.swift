import FloatIPCloud
import FloatIPCore
import Foundation
import Glibc
import Synchronization
import Testing

/// `mover: script`: its options, the contract of its commands (arguments, environment, exit status,
/// last lines of output, the timeout killing the process group, output cut at a bound), and the HTTP
/// example of docs/movers.md run with curl against a fake of its API.
@Suite struct ScriptMoverTests {
    static let node = "web1"
    static let nodeAddress = "198.18.0.1"

    func group(_ options: [String: String] = [:]) throws -> GroupConfig {
        GroupConfig(
            name: "web",
            addresses: [try IPPrefix.parse("198.18.0.100/32").get(), try IPPrefix.parse("2001:2::100/128").get()],
            interface: "eth0", mover: MoverConfig(kind: .script, options: options), priority: 100)
    }

    /// A mover whose commands are shell lines (`shell: true`).
    func mover(
        claim: String, release: String? = nil, holder: String? = nil, timeout: String = "5s",
        node: String = node, lines: LogCapture = LogCapture()
    ) throws -> ScriptMover {
        var options = ["claim": claim, "shell": "true", "timeout": timeout]
        options["release"] = release
        options["holder"] = holder
        var check = OptionCheck(options)
        let read = ScriptMoverSettings.read(&check)
        let settings = try #require(read, "\(check.problems)")
        return ScriptMover(settings: settings, node: node, nodeAddress: Self.nodeAddress, logger: lines.logger)
    }

    func problems(_ options: [String: String]) -> [String: String] {
        var check = OptionCheck(options)
        _ = ScriptMoverSettings.read(&check)
        return Dictionary(check.problems.map { ($0.key, $0.message) }) { first, _ in first }
    }

    @Test func optionProblemsNameTheOption() {
        #expect(problems([:])["claim"]?.contains("missing") == true)
        #expect(problems(["claim": "move.sh"])["claim"]?.contains("not an absolute path") == true)
        #expect(problems(["claim": "/usr/bin/mv ip"])["claim"]?.contains("shell: true") == true)
        #expect(problems(["claim": "move ip", "shell": "true"]).isEmpty)
        #expect(problems(["claim": "/bin/true", "release": "rel"])["release"]?.contains("absolute") == true)
        #expect(problems(["claim": "/bin/true", "timeout": "soon"])["timeout"] != nil)
        #expect(problems(["claim": "/bin/true", "holder_timeout": "1ms"])["holder_timeout"]?.contains("too short") == true)
        #expect(problems(["claim": "/bin/true", "shell": "yes"])["shell"]?.contains("true") == true)
        #expect(problems(["claim": "/bin/true", "colour": "blue"])["colour"]?.contains("unknown option") == true)
        #expect(problems(["claim": "/bin/true", "reconcile_interval": "5s"])["reconcile_interval"]?.contains("holder") == true)
        var check = OptionCheck(["claim": "/bin/a", "timeout": "2s", "release_timeout": "9s"])
        let settings = ScriptMoverSettings.read(&check)
        #expect(settings?.claimTimeout == .seconds(2) && settings?.holderTimeout == .seconds(2))
        #expect(settings?.releaseTimeout == .seconds(9))
    }

    @Test func aCommandIsToldTheOperationGroupNodeTermAndAddresses() async throws {
        let scratch = try ScratchDirectory("fip-script")
        defer { scratch.remove() }
        let out = scratch.file("told")
        let line = "{ printf '%s\\n' \"$*\"; env | grep '^FLOATIP_' | sort; } > \(out)"
        let mover = try mover(claim: line)
        try await mover.claim(try group(), epoch: 7)
        let told = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(told.first == "claim web web1 7 198.18.0.100/32 2001:2::100/128")
        #expect(Array(told.dropFirst()) == [
            "FLOATIP_ADDRESSES=198.18.0.100 2001:2::100", "FLOATIP_GROUP=web", "FLOATIP_INTERFACE=eth0",
            "FLOATIP_NODE=web1", "FLOATIP_NODE_ADDRESS=198.18.0.1", "FLOATIP_OPERATION=claim",
            "FLOATIP_PREFIXES=198.18.0.100/32 2001:2::100/128", "FLOATIP_TERM=7",
        ])
        // Without a shell, the program gets the same arguments.
        let program = scratch.file("program")
        try "#!/bin/sh\necho \"$0 $*\" > \(out)\n".write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        var check = OptionCheck(["claim": program, "release": program])
        let read = ScriptMoverSettings.read(&check)
        let direct = ScriptMover(settings: try #require(read), node: "web1", nodeAddress: "198.18.0.1")
        try await direct.release(try group(), epoch: 8)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "\(program) release web web1 8 198.18.0.100/32 2001:2::100/128\n")
    }

    @Test func aNonzeroExitFailsWithTheLastLinesInTheErrorLogAndStatus() async throws {
        let lines = LogCapture()
        let mover = try mover(claim: "for i in 1 2 3 4 5 6; do echo line $i; done; echo oops >&2; exit 3", lines: lines)
        do {
            try await mover.claim(try group(), epoch: 1)
            Issue.record("the claim succeeded")
        } catch let error as ScriptMoverError {
            #expect("\(error)" == "group web: script claim: exit 3: line 3 | line 4 | line 5 | line 6 | oops")
        }
        let telemetry = mover.telemetry()
        #expect(telemetry.lastError == "group web: script claim: exit 3: line 3 | line 4 | line 5 | line 6 | oops")
        #expect(telemetry.failures == 1 && telemetry.calls == 1 && telemetry.kind == "script")
        #expect(telemetry.lastCall?.hasPrefix("claim ") == true)
        #expect(lines.messages.contains { $0.contains("exit 3") && $0.contains("oops") })
        // The next success clears the error.
        let fixed = try self.mover(claim: "exit 0")
        try await fixed.claim(try group(), epoch: 2)
        #expect(fixed.telemetry().lastError == nil && fixed.telemetry().providerHoldsHere == true)
    }

    @Test func theTimeoutKillsTheWholeProcessGroup() async throws {
        let scratch = try ScratchDirectory("fip-script")
        defer { scratch.remove() }
        let pidFile = scratch.file("child.pid")
        // A child that outlives the shell's SIGTERM (it ignores it), and the shell waiting for it.
        let mover = try mover(
            claim: "(trap '' TERM; exec sleep 30) & echo $! > \(pidFile); echo started; wait", timeout: "300ms")
        let started = ContinuousClock.now
        do {
            try await mover.claim(try group(), epoch: 1)
            Issue.record("the claim succeeded")
        } catch let error as ScriptMoverError {
            #expect("\(error)".contains("no exit within 300 ms; process group"), "\(error)")
            #expect("\(error)".hasSuffix(": started"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        let child = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmed))
        var gone = false
        for _ in 0..<100 where !gone {
            gone = !Self.isRunning(child)
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone, "the child \(child) survived its group's SIGKILL")
    }

    /// Alive and not a zombie (an orphan may wait a moment for init to reap it).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    @Test func megabytesOfOutputAreCutToTheLastLines() async throws {
        let mover = try mover(
            claim: "head -c 5000000 /dev/zero | tr '\\000' x; echo; echo the last line; exit 1")
        let started = ContinuousClock.now
        do {
            try await mover.claim(try group(), epoch: 1)
            Issue.record("the claim succeeded")
        } catch let error as ScriptMoverError {
            #expect(error.result.tail.last == "the last line")
            #expect(error.result.tail.allSatisfy { $0.count <= 201 })
            #expect("\(error)".count < 600, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func theHolderIsTheLastLine() async throws {
        func holder(_ line: String) async throws -> MoverHolder {
            try await mover(claim: "exit 0", holder: line).holder(of: try group())
        }
        #expect(try await holder("echo checking; echo web1") == .this)
        #expect(try await holder("echo 198.18.0.1") == .this)
        #expect(try await holder("echo web2") == .other("web2"))
        #expect(try await holder("echo checking; echo") == MoverHolder.none)
        #expect(try await holder("true") == MoverHolder.none)
        await #expect(throws: ScriptMoverError.self) { try await holder("echo web1; exit 1") }
        // Without a holder command the mover says it cannot tell.
        await #expect(throws: ScriptMoverError.self) { try await mover(claim: "exit 0").holder(of: try group()) }
        let asked = try mover(claim: "exit 0", holder: "echo web2")
        _ = try await asked.holder(of: try group())
        #expect(asked.telemetry().providerHolder == "web2" && asked.telemetry().providerHoldsHere == false)
    }
}

/// The HTTP example of docs/movers.md ("Example: an HTTP API with curl"), run with curl against a
/// fake of the API it describes.
@Suite struct ScriptMoverHTTPExampleTests {
    static let token = "s3cret-token-for-the-fake"

    /// The API of the example: the holder and term of each address; PUT refuses an older term.
    final class VIPAPI: Sendable {
        let state = Mutex<[String: (holder: String, term: Int)]>([:])

        func handle(_ request: FakeRequest) -> FakeResponse? {
            guard request.header("Authorization") == "Bearer \(ScriptMoverHTTPExampleTests.token)" else {
                return .json(401, ["error": "bad token"])
            }
            let segments = request.segments
            guard segments.count == 3, segments[0] == "v1", segments[1] == "ips" else { return nil }
            let address = segments[2]
            switch request.method {
            case "GET":
                let entry = state.withLock { $0[address] }
                let holder: Any = entry?.holder ?? NSNull()
                return .json(200, ["holder": holder, "term": entry?.term ?? 0])
            case "PUT":
                guard let holder = request.json?["holder"] as? String, let term = request.json?["term"] as? Int else {
                    return .json(400, ["error": "holder and term required"])
                }
                let stored = state.withLock { state -> Int? in
                    if let current = state[address], current.term > term { return current.term }
                    state[address] = (holder, term)
                    return nil
                }
                if let stored { return .json(409, ["error": "term \(term) is older than \(stored)"]) }
                return .json(200, ["holder": holder, "term": term])
            case "DELETE":
                let holder = request.query.replacingOccurrences(of: "holder=", with: "")
                state.withLock { if $0[address]?.holder == holder { $0[address] = nil } }
                return .json(200, ["ok": true])
            default:
                return nil
            }
        }
    }

    @Test func claimHolderStaleTermAndReleaseThroughTheAPI() async throws {
        guard ExternalTool.find("curl", for: "the script mover's HTTP example", package: "curl") != nil else { return }
        let api = VIPAPI()
        let server = try await FakeProviderServer.start { api.handle($0) }
        let scratch = try ScratchDirectory("fip-script-api")
        defer { scratch.remove() }
        let header = scratch.file("header")
        try "Authorization: Bearer \(Self.token)\n".write(toFile: header, atomically: true, encoding: .utf8)
        let script = scratch.file("floatip-api")
        try DocsExample.writeScript(
            from: "docs/movers.md", containing: "# /usr/local/sbin/floatip-api:",
            replacing: ["https://vip.example.net/v1": "\(server.baseURL)/v1", "/etc/floatip/vip-api.header": header],
            to: script)
        func mover(_ node: String, _ address: String) throws -> ScriptMover {
            var check = OptionCheck(["claim": script, "release": script, "holder": script, "timeout": "5s"])
            let read = ScriptMoverSettings.read(&check)
            return ScriptMover(settings: try #require(read, "\(check.problems)"), node: node, nodeAddress: address)
        }
        let web1 = try mover("web1", "198.18.0.1")
        let web2 = try mover("web2", "198.18.0.2")
        let group = GroupConfig(
            name: "web", addresses: [try IPPrefix.parse("198.18.0.100/32").get()], interface: nil,
            mover: MoverConfig(kind: .script), priority: 100)

        #expect(try await web1.holder(of: group) == MoverHolder.none)
        try await web1.claim(group, epoch: 4)
        print("script mover, HTTP example: a claim through curl took \(web1.telemetry().latencyMs ?? 0) ms")
        try await web1.claim(group, epoch: 4)  // idempotent
        #expect(try await web1.holder(of: group) == .this)
        try await web2.claim(group, epoch: 5)
        #expect(try await web1.holder(of: group) == .other("web2"))
        // web1 wakes up late with its old term: the API refuses, and the error carries its answer.
        do {
            try await web1.claim(group, epoch: 4)
            Issue.record("a stale claim succeeded")
        } catch let error as ScriptMoverError {
            #expect("\(error)".contains("term 4 is older than 5"), "\(error)")
            #expect(!"\(error)".contains(Self.token))
        }
        // web1's release leaves web2's assignment; web2's removes it.
        try await web1.release(group, epoch: 4)
        #expect(try await web2.holder(of: group) == .this)
        try await web2.release(group, epoch: 5)
        #expect(try await web1.holder(of: group) == MoverHolder.none)
        #expect(server.unrecognised.isEmpty, "\(server.unrecognised)")
        #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer \(Self.token)" })
        await server.stop()
    }
}
