import ArgumentParser
import FloatIPLab

/// `floatip lab up`: builds a lab and leaves it running.
struct LabUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Build a lab and leave it running (remove it with `floatip lab down`).",
        discussion: """
            Returns once the client is answered by web1 through the floating address. On an error \
            or Ctrl-C it removes what it built. Exit codes: 0 up; 1 failed (nothing left behind).
            """
    )

    @OptionGroup var lab: LabNameOption
    @Option(help: "How many server nodes (2–5).") var nodes: Int = 2

    func run() throws {
        let layout = try lab.layout(nodes: nodes)
        LabInterrupt.shared.install()
        let built = try runLabStep { () throws(LabError) in try Lab.up(layout) { print("  \($0)") } }
        print("""
            lab \(layout.name) is up: floating address \(LabLayout.floatingAddress), held by web1
              ip netns exec \(layout.clientNamespace) \(Lab.currentBinary()) lab ask --name \(layout.name)   # who answers?
              ip netns exec \(layout.namespace(node: 1)) ip addr show eth0                      # the address on web1
              logs, configs and state: \(built.layout.directory)
              remove it: floatip lab down --name \(layout.name)
            """)
    }
}
