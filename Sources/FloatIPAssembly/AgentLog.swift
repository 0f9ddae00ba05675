import FloatIPAgent
import Foundation
import Logging

/// The agent's log: one line per event through swift-log; the handler (the executable's) chooses
/// the format.
public struct AgentLog: Sendable {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// An agent event, with its fields as metadata (`--log-format json` carries them).
    public func event(_ event: AgentEvent) {
        switch event {
        case .transition(let t):
            // A node that turns faulty is what an operator wants to see; the other changes are routine.
            logger.log(level: t.to == .fault && t.from != .fault ? .warning : .info, "\(event)", metadata: [
                "event": "transition", "group": "\(t.group)", "from": "\(t.from)", "to": "\(t.to)",
                "reason": "\(t.reason)",
            ])
        case .mover(let group, let operation, let epoch, let took, let error):
            var fields: Logger.Metadata = [
                "event": "mover", "group": "\(group)", "operation": "\(operation)", "term": "\(epoch)",
                "took_ms": "\(String(format: "%.3f", took.milliseconds))",
            ]
            if let error { fields["error"] = "\(error)" }
            logger.log(level: error == nil ? .info : .error, "\(event)", metadata: fields)
        case .staleBoot(let peer, let bootID, let known):
            logger.warning("\(event)", metadata: [
                "event": "stale_boot", "peer": "\(peer)", "boot_id": "\(bootID)", "known_boot_id": "\(known)",
            ])
        case .stalled(let length):
            logger.warning("\(event)", metadata: [
                "event": "stall", "length_ms": "\(String(format: "%.3f", length.milliseconds))",
            ])
        case .secretRotated(let end):
            logger.log(level: end == .everyPeer ? .info : .warning, "\(event)", metadata: ["event": "secret_rotation"])
        }
    }

    /// A line in words at `level` (an operator's command, a stop, a problem of the agent itself).
    public func note(_ message: String, level: Logger.Level = .info) {
        logger.log(level: level, "\(message)", metadata: ["event": "note"])
    }

    /// The logger handed to a part of the agent (the event log, the API, systemd…): its lines are
    /// notes in words, at the level the part chose, with `metadata` for `--log-format json`.
    public func part(_ name: String, _ metadata: Logger.Metadata = [:]) -> Logger {
        var logger = self.logger
        logger[metadataKey: "event"] = "note"
        logger[metadataKey: "part"] = "\(name)"
        for (key, value) in metadata { logger[metadataKey: key] = value }
        return logger
    }
}
