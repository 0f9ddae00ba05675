import FloatIPCore
import FloatIPLinux
import Foundation
import Glibc
import Logging
import Synchronization

/// The operator's event log (`event_log:` in the config): one JSON line per role change, claim,
/// release, check change and operator command, so an incident can be reconstructed afterwards.
///
/// Every line carries `mono_ms` (milliseconds on the process's monotonic timeline, `Instant.monotonicNow`,
/// the one every instant of the agent is on: from its start), `time` (wall
/// clock, ISO 8601, UTC), `node` and `event`, then the event's own fields. The file is opened
/// append-only and created with mode 0640 (its directory with 0750); each line goes out in one
/// `write(2)`, so nothing sits in a buffer when the agent dies. A failure to open or write is
/// reported once through `logger`, as an error (and once more, as info, when writing works again); the agent never
/// stops for it.
public final class EventLog: Sendable {
    /// A field's value.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case null
        /// Text by key (a reload's change per group), written in key order.
        case object([String: String])
    }

    /// The file's path.
    public let path: String
    let node: String
    let logger: Logger
    private let state = Mutex<(descriptor: Int32?, failing: Bool)>((nil, false))

    /// A log appending to `path` for node `node`; `logger` hears about write problems (once per streak).
    public init(path: String, node: String, logger: Logger = .silent) {
        self.path = path
        self.node = node
        self.logger = logger
    }

    deinit { close() }

    /// Appends one event: `event` names it, `fields` are its own fields (they cannot replace the common four).
    public func append(_ event: String, _ fields: [String: Value] = [:]) {
        let line = Self.line(
            monoMilliseconds: Double(Instant.monotonicNow.nanoseconds) / 1_000_000, time: Date(), node: node, event: event,
            fields: fields)
        let failure: (level: Logger.Level, message: String)? = state.withLock { state in
            if state.descriptor == nil {
                switch Self.open(path) {
                case .success(let descriptor): state.descriptor = descriptor
                case .failure(let reason): return state.failing ? nil : (.error, Self.failed(&state, "cannot open the event log \(path): \(reason)"))
                }
            }
            guard let descriptor = state.descriptor else { return nil }
            let bytes = Array(line.utf8)
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == bytes.count else {
                let reason = written < 0 ? String(cString: strerror(errno)) : "short write (\(written) of \(bytes.count) bytes)"
                return state.failing ? nil : (.error, Self.failed(&state, "cannot write the event log \(path): \(reason)"))
            }
            if state.failing {
                state.failing = false
                return (.info, "the event log \(path) is writable again")
            }
            return nil
        }
        if let failure { logger.log(level: failure.level, "\(failure.message)") }
    }

    /// Closes the file (a later `append` opens it again).
    public func close() {
        state.withLock { state in
            if let descriptor = state.descriptor { Glibc.close(descriptor) }
            state.descriptor = nil
        }
    }

    // MARK: The agent's events

    /// A transition (`transition`) or a mover operation (`claim`, `release`; announces only when they fail).
    public func record(_ event: AgentEvent) {
        switch event {
        case .transition(let t):
            append("transition", ["group": .string(t.group), "from": .string("\(t.from)"), "to": .string("\(t.to)"),
                                  "reason": .string(t.reason)])
        case .mover(let group, let operation, let epoch, let took, let error):
            guard operation != "announce" || error != nil else { return }
            append(operation, ["group": .string(group), "term": .int(Int(clamping: epoch)),
                               "took_ms": .double(took.milliseconds), "error": error.map(Value.string) ?? .null])
        case .staleBoot(let peer, let bootID, let known):
            append("stale_boot", ["peer": .string(peer), "boot_id": .string(String(bootID)),
                                  "known_boot_id": .string(String(known))])
        case .stalled(let length):
            append("stall", ["length_ms": .double(length.milliseconds)])
        case .secretRotated(let end):
            var fields: [String: Value] = ["outcome": .string(end == .everyPeer ? "every_peer" : "expired")]
            if case .expired(let notHeard) = end { fields["not_heard"] = .string(notHeard.joined(separator: ",")) }
            append("secret_rotation", fields)
        }
    }

    /// A check changed state (`check`).
    public func checkChanged(name: String, from: String, to: String, detail: String) {
        append("check", ["check": .string(name), "from": .string(from), "to": .string(to), "detail": .string(detail)])
    }

    // MARK: Writing

    /// One JSON line: the common fields first, then the event's own in key order.
    static func line(monoMilliseconds: Double, time: Date, node: String, event: String, fields: [String: Value]) -> String {
        let stamp = ISO8601DateFormatter.string(
            from: time, timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        var parts = [
            "\"mono_ms\":\(encode(.double((monoMilliseconds * 1000).rounded() / 1000)))",
            "\"time\":\(encode(.string(stamp)))", "\"node\":\(encode(.string(node)))",
            "\"event\":\(encode(.string(event)))",
        ]
        let common: Set = ["mono_ms", "time", "node", "event"]
        for key in fields.keys.sorted() where !common.contains(key) {
            parts.append("\(encode(.string(key))):\(encode(fields[key]!))")
        }
        return "{" + parts.joined(separator: ",") + "}\n"
    }

    /// A value as JSON text.
    static func encode(_ value: Value) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .int(let number): return "\(number)"
        case .double(let number): return number.isFinite ? "\(number)" : "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .object(let fields):
            return "{" + fields.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + quoted($0.value) }
                .joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Opens `path` for appending; a new file gets mode 0640 whatever the umask, a missing directory 0750.
    static func open(_ path: String) -> Result<Int32, EventLogError> {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        }
        let created = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        if created >= 0 {
            fchmod(created, 0o640)
            return .success(created)
        }
        let existing = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        if existing >= 0 { return .success(existing) }
        return .failure(EventLogError(reason: String(cString: strerror(errno))))
    }

    private static func failed(_ state: inout (descriptor: Int32?, failing: Bool), _ message: String) -> String {
        state.failing = true
        return message + " (further failures are not logged until it works again)"
    }
}

/// Why the event log could not be opened or written, in the system's words.
public struct EventLogError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
