import ArgumentParser
import FloatIPLab

/// `floatip lab responder`: the node's small service (hidden; `floatip lab up` starts it inside the node's namespace).
struct LabResponderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "responder",
        abstract: "Answer UDP requests on port 7480 with the node's name (started by `floatip lab up`).",
        shouldDisplay: false
    )

    @Option(help: "The name to answer with.") var node: String
    @Option(help: "The lab's directory (marks the process as the lab's, for `floatip lab down`).") var directory: String
    @Option(help: "Stop after this many seconds.") var lifetime: Int = 6 * 3600

    func run() throws {
        try runLabStep { () throws(LabError) in try LabResponder.run(node: node, lifetime: .seconds(lifetime)) }
    }
}
