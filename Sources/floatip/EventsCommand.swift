import ArgumentParser
import FloatIPCore
import Foundation

/// `floatip events [--follow]`: the agent's event log, readable.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the event log (role changes, claims, releases, check changes, operator commands).",
        discussion: """
            Reads the file named by event_log in --config (or --file) directly; the agent need not \
            run. --follow keeps printing new lines as they are appended, like tail -F (it notices a \
            file that is rotated or truncated), until interrupted.
            """
    )

    @Option(name: .shortAndLong, help: "The agent's YAML config file (for event_log).") var config: String?
    @Option(help: "The event log file, when not read from --config.") var file: String?
    @Flag(name: .shortAndLong, help: "Keep printing new events as they are appended.") var follow = false
    @Flag(help: "Print the JSON lines as they are stored.") var json = false
    @Option(name: .shortAndLong, help: "Start with only the last N events.") var lines: Int?

    func validate() throws {
        if config == nil, file == nil { throw ValidationError("pass --config FILE (with event_log set) or --file PATH") }
        if let lines, lines < 0 { throw ValidationError("--lines must be 0 or more") }
    }

    func run() async throws {
        let path: String
        if let file {
            path = file
        } else {
            guard let eventLog = try loadConfig(config!).eventLog else {
                printError("\(config!): no event_log is set, so the agent keeps no event log")
                throw ExitCode(1)
            }
            path = eventLog
        }
        var tail = EventLogTail(path: path)
        guard follow || tail.exists else {
            printError("event_log \(path): no such file (the agent creates it at its first event)")
            throw ExitCode(1)
        }
        var first = tail.readNewLines()
        if let lines { first = Array(first.suffix(lines)) }
        emit(first)
        while follow {
            try await Task.sleep(for: .milliseconds(200))
            emit(tail.readNewLines())
        }
    }

    private func emit(_ lines: [String]) {
        for line in lines { print(json ? line : EventLine.readable(line)) }
        fflush(nil)
    }
}
