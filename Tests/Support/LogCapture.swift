import Logging
import Synchronization

/// A `Logger` whose lines a test reads back, each with its level.
public final class LogCapture: Sendable {
    public init() {}

    public let entries = Mutex<[(level: Logger.Level, message: String)]>([])

    public var logger: Logger {
        Logger(label: "test") { [self] _ in Handler(capture: self) }
    }

    public var messages: [String] { entries.withLock { $0.map(\.message) } }
    public var all: [String] { messages }

    public func levels(containing text: String) -> [Logger.Level] {
        entries.withLock { $0.filter { $0.message.contains(text) }.map(\.level) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.entries.withLock { $0.append((event.level, "\(event.message)")) }
        }
    }
}
