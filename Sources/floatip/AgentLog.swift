import FloatIPAgent
import Foundation
import Logging

/// The agent's log: one line per event through swift-log (see `AgentLogHandler` for the format).
struct AgentLog: Sendable {
    enum Format: String, Sendable, CaseIterable { case text, json }
    let logger: Logger

    /// A logger for `node` that writes `format` lines to standard error.
    init(node: String, format: Format) {
        logger = Logger(label: "floatip.agent") { _ in AgentLogHandler(node: node, format: format) }
    }

    func event(_ event: AgentEvent) {
        switch event {
        case .transition(let t):
            logger.info("\(event)", metadata: [
                "event": "transition", "group": "\(t.group)", "from": "\(t.from)", "to": "\(t.to)",
                "reason": "\(t.reason)",
            ])
        case .mover(let group, let operation, let epoch, let took, let error):
            var fields: Logger.Metadata = [
                "event": "mover", "group": "\(group)", "operation": "\(operation)", "term": "\(epoch)",
                "took_ms": "\(String(format: "%.3f", took.milliseconds))",
            ]
            if let error { fields["error"] = "\(error)" }
            logger.info("\(event)", metadata: fields)
        case .staleBoot(let peer, let bootID, let known):
            logger.warning("\(event)", metadata: [
                "event": "stale_boot", "peer": "\(peer)", "boot_id": "\(bootID)", "known_boot_id": "\(known)",
            ])
        case .stalled(let length):
            logger.warning("\(event)", metadata: [
                "event": "stall", "length_ms": "\(String(format: "%.3f", length.milliseconds))",
            ])
        }
    }

    func note(_ message: String) {
        logger.info("\(message)", metadata: ["event": "note"])
    }
}
