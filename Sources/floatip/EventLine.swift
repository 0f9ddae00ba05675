import FloatIPCore
import Foundation

/// One event-log line for a person: `TIME NODE what happened`.
enum EventLine {
    static func readable(_ line: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return line }
        func text(_ key: String) -> String? {
            switch object[key] {
            case let string as String: string
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
        let time = text("time") ?? "?"
        let node = text("node") ?? "?"
        let event = text("event") ?? "?"
        let group = text("group") ?? "?"
        let what: String
        switch event {
        case "transition":
            let (from, to) = (text("from") ?? "?", text("to") ?? "?")
            what = "\(group): " + (from == to ? to : "\(from) → \(to)") + ": \(text("reason") ?? "")"
        case "claim", "release", "announce", "reshape":
            let took = (object["took_ms"] as? NSNumber)
                .map { Duration.milliseconds($0.doubleValue).shortDescription } ?? "?"
            what = "\(group): \(event) (term \(text("term") ?? "?")) "
                + (text("error").map { "failed after \(took): \($0)" } ?? "done in \(took)")
        case "check":
            what = "check \(text("check") ?? "?"): \(text("from") ?? "?") → \(text("to") ?? "?"): \(text("detail") ?? "")"
        case "maintenance":
            let on = (object["on"] as? Bool) == true ? "on" : "off"
            what = "operator: maintenance \(on) for " + (text("group").map { "group \($0)" } ?? "the whole node")
                + via(text)
        case "switchover":
            let requested = text("to").map { " to \($0)" } ?? ""
            what = "operator: switchover of \(group)\(requested)"
                + (text("target").map { " → \($0)" } ?? "") + (text("error").map { " refused: \($0)" } ?? "") + via(text)
        case "reload":
            what = switch text("outcome") {
            case "applied": "reload: " + (text("summary") ?? "applied") + (text("secret").map { "; secret \($0)" } ?? "")
            case "refused": "reload refused, nothing changed: " + (text("reasons") ?? "?")
            default: "reload: nothing changed"
            }
        default:
            let rest = object.keys.filter { !["time", "node", "event", "mono_ms"].contains($0) }.sorted()
                .map { "\($0)=\(text($0) ?? "null")" }
            what = ([event] + rest).joined(separator: " ")
        }
        return "\(time) \(node) \(what)"
    }

    private static func via(_ text: (String) -> String?) -> String {
        guard let source = text("source") else { return "" }
        return " (via \(source)" + (text("remote").map { " from \($0)" } ?? "") + ")"
    }
}
