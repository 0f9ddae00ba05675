import ArgumentParser
import FloatIPLab

/// `floatip lab down`: removes a lab.
struct LabDownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove a lab: stop its agents and responders, delete its namespaces and directory.",
        discussion: "Idempotent; also removes a half-built lab. Exit codes: 0 removed (or nothing there); 1 failed."
    )

    @OptionGroup var lab: LabNameOption

    func run() throws {
        let layout = try lab.layout()
        let removal = try runLabStep { () throws(LabError) in try Lab.down(layout) }
        if removal.nothing {
            print("lab \(layout.name): nothing to remove")
        } else {
            let killed = removal.killed > 0 ? " (\(removal.killed) needed SIGKILL)" : ""
            print("lab \(layout.name) removed: \(removal.processes) processes ended\(killed), \(removal.namespaces) namespaces deleted")
        }
    }
}
