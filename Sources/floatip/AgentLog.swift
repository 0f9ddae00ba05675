import ArgumentParser
import FloatIPAgent
import FloatIPAssembly
import Logging

extension AgentLog {
    /// How the lines look: readable text, or one JSON object each (`--log-format`).
    enum Format: String, Sendable, CaseIterable, ExpressibleByArgument { case text, json }

    /// A log for `node` that writes `format` lines to standard error (see `AgentLogHandler`).
    init(node: String, format: Format) {
        let journal = JournalStream.isStandardError()
        self.init(logger: Logger(label: "floatip.agent") { _ in AgentLogHandler(node: node, format: format, journal: journal) })
    }
}
