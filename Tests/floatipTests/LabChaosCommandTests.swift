import Testing

/// `floatip lab chaos`'s bad input: a clear message naming the option, exit 64, before any lab is built.
@Suite struct LabChaosCommandTests {
    @Test(arguments: [
        (["--duration", "5s"], "--duration 5s: use 10s to 24h"),
        (["--duration", "25h"], "--duration 25h: use 10s to 24h"),
        (["--duration", "soon"], "--duration 'soon': `soon` is not a duration"),
        (["--nodes", "7"], "--nodes 7: a lab has 2 to 5 nodes"),
        (["--seed", "x"], "--seed"),
    ])
    func badInputIsAUsageError(arguments: [String], message: String) throws {
        let run = try CLITests.run(["lab", "chaos"] + arguments, limit: .seconds(20))
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func helpNamesEveryFaultAndTheReport() throws {
        let run = try CLITests.run(["lab", "chaos", "--help"], limit: .seconds(20))
        #expect(run.status == 0)
        let help = run.stdout.replacingOccurrences(of: "\n", with: " ")
        for word in ["link down", "loss", "partitions", "SIGSTOP", "SIGKILL", "SIGTERM", "failing checks", "maintenance",
                     "switchovers", "JSON report", "--seed", "--duration", "--nodes", "--etcd", "docs/reliability.md"] {
            #expect(help.contains(word), "\(word)")
        }
    }
}
