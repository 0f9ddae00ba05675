import ArgumentParser

/// `floatip mover release`: remove the group's addresses from this server (quietly if absent).
struct MoverReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Remove the group's addresses from this server.")

    @OptionGroup var options: MoverOptions

    func run() async throws {
        let selection = try options.load()
        let mover = try options.mover(for: selection).mover
        do {
            try await mover.release(selection.group, epoch: 0)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        print("released \(selection.group.name)")
    }
}
