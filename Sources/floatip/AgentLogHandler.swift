import FloatIPAgent
import FloatIPAssembly
import Foundation
import Logging

/// swift-log's handler for the agent: one line per entry on standard error, as readable text
/// (`TIME NODE LEVEL MESSAGE`) or as one JSON object (the metadata, `time`, `node`, `level`, and
/// `message` when the entry is not a structured event) for `--log-format json`. When standard error
/// is the journal (`JournalStream`), each line starts with its syslog priority (`<4>` for a warning)
/// and leaves the time stamp to the journal.
struct AgentLogHandler: LogHandler {
    let node: String
    let format: AgentLog.Format
    let journal: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = ISO8601DateFormatter.string(
            from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let line: String
        switch format {
        case .text:
            // Entries from libraries (the service group) carry their metadata; ours say it all in words.
            let library = fields["event"] == nil && !fields.isEmpty
            let suffix = library ? " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") : ""
            line = (journal ? "" : "\(time) ") + "\(node) \(event.level) \(event.message)\(suffix)"
        case .json:
            var object = fields.mapValues { "\($0)" }
            if object["event"] == nil || object["event"] == "note" { object["message"] = "\(event.message)" }
            if object["event"] == nil { object["event"] = "\(event.level)" }
            object["time"] = time
            object["node"] = node
            object["level"] = "\(event.level)"
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        let priority = journal ? "<\(JournalStream.priority(event.level))>" : ""
        FileHandle.standardError.write(Data((priority + line + "\n").utf8))
    }
}
