import ArgumentParser
import FloatIPLab
import Foundation

/// `floatip lab run -- COMMAND…`: a lab for the length of one command.
struct LabRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Build a lab, run a command against it, remove the lab; exits with the command's status.",
        discussion: """
            The command runs in this namespace with FLOATIP_LAB (name), FLOATIP_LAB_DIR, \
            FLOATIP_LAB_CLIENT (client namespace), FLOATIP_LAB_NODES (node namespaces, space-separated) \
            and FLOATIP_LAB_VIP set. Example: floatip lab run -- sh -c 'floatip lab ask --name "$FLOATIP_LAB"'
            """
    )

    @Option(help: "How many server nodes (2–5).") var nodes: Int = 2
    @Option(help: "The lab's name (default: run-PID, unique per run).") var name: String?
    @Argument(parsing: .postTerminator, help: "The command and its arguments.") var command: [String]

    func validate() throws {
        if command.isEmpty { throw ValidationError("name a command after --") }
    }

    func run() throws {
        let layout = try LabNameOption.layout(name: name ?? "run-\(getpid())", nodes: nodes)
        LabInterrupt.shared.install()
        let lab = try runLabStep { () throws(LabError) in try Lab.up(layout) }
        let status = try runLabStep { () throws(LabError) -> Int32 in
            defer { _ = try? lab.down() }
            return try Self.execute(command, layout: layout)
        }
        if status != 0 { throw ExitCode(status) }
    }

    private static func execute(_ command: [String], layout: LabLayout) throws(LabError) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var environment = ProcessInfo.processInfo.environment
        environment["FLOATIP_LAB"] = layout.name
        environment["FLOATIP_LAB_DIR"] = layout.directory
        environment["FLOATIP_LAB_CLIENT"] = layout.clientNamespace
        environment["FLOATIP_LAB_NODES"] = (1...layout.nodes).map(layout.namespace(node:)).joined(separator: " ")
        environment["FLOATIP_LAB_VIP"] = LabLayout.floatingAddress
        process.environment = environment
        do {
            try process.run()
        } catch {
            throw .system("cannot run \(command.joined(separator: " ")): \(error)")
        }
        // Poll, so that a Ctrl-C (caught as a flag) ends the command and removes the lab.
        while process.isRunning {
            if LabInterrupt.shared.caught != nil {
                process.terminate()
                process.waitUntilExit()
                throw .interrupted
            }
            usleep(20_000)
        }
        return process.terminationStatus
    }
}
