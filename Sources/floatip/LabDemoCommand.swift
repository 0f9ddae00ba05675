import ArgumentParser
import FloatIPLab
import Glibc

/// `floatip lab demo`: the README's main command.
struct LabDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a lab, show a failover and a failback with the outages a client measures, then remove it.",
        discussion: """
            The client asks the floating address every 5 ms and records every answer; outages are \
            the longest gap between two answers, failed requests those not answered within 100 ms. \
            Leaves nothing behind, also on Ctrl-C. Needs root. Exit codes: 0 done; 1 failed; 130 interrupted.
            """
    )

    @Option(help: "How many server nodes (2–5).") var nodes: Int = 2
    @Option(help: "The lab's name (default: demo-PID, unique per run).") var name: String?

    func run() throws {
        let layout = try LabNameOption.layout(name: name ?? "demo-\(getpid())", nodes: nodes)
        LabInterrupt.shared.install()
        let demo = LabDemo(layout: layout)
        _ = try runLabStep { () throws(LabError) in
            try demo.run { line in
                print(line)
                fflush(nil)
            }
        }
    }
}
