import Foundation
import Logging

/// The log of a one-shot command (`floatip mover claim`…): what the library parts report, one line
/// each on standard error, a warning or an error saying so.
enum CommandLog {
    static var logger: Logger { Logger(label: "floatip.command") { _ in Handler() } }

    struct Handler: LogHandler {
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let prefix = event.level >= .warning ? "\(event.level): " : ""
            FileHandle.standardError.write(Data((prefix + "\(event.message)\n").utf8))
        }
    }
}
