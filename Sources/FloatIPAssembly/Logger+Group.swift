import FloatIPCore
import Logging

extension Logger {
    /// This logger with the group's name and mover kind as metadata (`--log-format json` carries them).
    public func withGroup(_ group: GroupConfig) -> Logger {
        var logger = self
        logger[metadataKey: "group"] = "\(group.name)"
        logger[metadataKey: "kind"] = "\(group.mover.kind.rawValue)"
        return logger
    }
}
