import ArgumentParser
import FloatIPLab

/// `floatip lab ask`: one request from the client to the floating address.
struct LabAskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask the floating address once from the lab's client and print who answers.",
        discussion: "Exit codes: 0 answered (prints the node's name); 1 no answer within the timeout."
    )

    @OptionGroup var lab: LabNameOption
    @Option(help: "The address to ask.") var address: String = LabLayout.floatingAddress
    @Option(help: "How long to wait for the answer, in milliseconds.") var timeout: Int = 500

    func run() throws {
        let layout = try lab.layout()
        let answer = try runLabStep { () throws(LabError) in
            try Lab.requireRoot()
            return try LabClient.ask(from: layout.clientNamespace, address: address, timeout: .milliseconds(timeout))
        }
        guard let answer else {
            printError("no answer from \(address) within \(timeout) ms")
            throw ExitCode(1)
        }
        print(answer)
    }
}
