import FloatIPAgent
import Foundation

/// One line per event on standard error: readable text, or JSON for machines (`--log-format json`).
struct AgentLog: Sendable {
    enum Format: String, Sendable, CaseIterable { case text, json }
    let node: String
    let format: Format

    func event(_ event: AgentEvent) {
        switch event {
        case .transition(let t):
            write(["event": "transition", "group": t.group, "from": "\(t.from)", "to": "\(t.to)", "reason": t.reason],
                  text: "\(event)")
        case .mover(let group, let operation, let epoch, let took, let error):
            var fields = ["event": "mover", "group": group, "operation": operation, "term": "\(epoch)",
                          "took_ms": String(format: "%.3f", took.milliseconds)]
            if let error { fields["error"] = error }
            write(fields, text: "\(event)")
        }
    }

    func note(_ message: String) {
        write(["event": "note", "message": message], text: message)
    }

    private func write(_ fields: [String: String], text: String) {
        let time = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        let line: String
        switch format {
        case .text:
            line = "\(time) \(node) \(text)"
        case .json:
            var object = fields
            object["time"] = time
            object["node"] = node
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
