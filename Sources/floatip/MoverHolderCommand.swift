import ArgumentParser
import FloatIPCore

/// `floatip mover holder`: does this server hold the group's addresses now?
struct MoverHolderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holder",
        abstract: "Say whether this server holds the group's addresses (exit 0) or not (exit 3).")

    @OptionGroup var options: MoverOptions

    func run() async throws {
        let selection = try options.load()
        let mover = try options.mover(for: selection).mover
        let holder: MoverHolder
        do {
            holder = try await mover.holder(of: selection.group)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        if let summary = mover.holderSummary(of: selection.group) { print("\(selection.group.name): \(summary)") }
        switch holder {
        case .this:
            print("\(selection.group.name): held here")
        case .other(let name):
            print("\(selection.group.name): held by \(name ?? "another server")")
            throw ExitCode(3)
        case .none:
            print("\(selection.group.name): not held here")
            throw ExitCode(3)
        }
    }
}
