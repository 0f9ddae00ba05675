import FloatIPCore
import FloatIPTestSupport
import Foundation
import Synchronization
import Testing

@testable import FloatIPAgent

/// The event log: one JSON line per event, append-only, mode 0640, failures reported once.
@Suite struct EventLogTests {
    func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func lines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
    }

    @Test func eachEventIsOneJSONLineWithBothClocks() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("log/events.jsonl")
        let log = EventLog(path: url.path, node: "web1")
        log.record(.transition(Transition(group: "web", from: .standby, to: .holder, reason: "web2 silent \"for\"\n 300 ms", at: Instant(nanoseconds: 5))))
        log.record(.mover(group: "web", operation: "claim", epoch: 3, took: .microseconds(1500), error: nil))
        log.record(.mover(group: "web", operation: "announce", epoch: 0, took: .microseconds(10), error: nil))
        log.record(.mover(group: "web", operation: "release", epoch: 3, took: .milliseconds(2), error: "EPERM"))
        log.checkChanged(name: "nginx", from: "passing", to: "failing", detail: "HTTP 503")
        log.append("maintenance", ["on": .bool(true), "group": .null, "node": .string("ignored")])
        log.close()
        let events = try lines(url)
        #expect(events.map { $0["event"] as? String } == ["transition", "claim", "release", "check", "maintenance"])
        for event in events {
            #expect(event["node"] as? String == "web1")
            #expect((event["mono_ms"] as? Double).map { $0 >= 0 } == true)
            let time = try #require(event["time"] as? String)
            let parser = ISO8601DateFormatter()
            parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            #expect(parser.date(from: time) != nil, "\(time)")
        }
        #expect(events[0]["reason"] as? String == "web2 silent \"for\"\n 300 ms")
        #expect(events[0]["from"] as? String == "standby")
        #expect(events[1]["took_ms"] as? Double == 1.5)
        #expect(events[1]["term"] as? Int == 3)
        #expect(events[2]["error"] as? String == "EPERM")
        #expect(events[3]["check"] as? String == "nginx")
        #expect(events[4]["group"] is NSNull)
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test func itAppendsToWhatIsThere() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("events.jsonl")
        try Data("{\"event\":\"old\"}\n".utf8).write(to: url)
        EventLog(path: url.path, node: "web1").append("start")
        EventLog(path: url.path, node: "web1").append("stop")
        #expect(try lines(url).map { $0["event"] as? String } == ["old", "start", "stop"])
    }

    @Test func aFailureIsReportedOnceAndNeverThrows() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A directory where the file should be: every open fails.
        let url = directory.appendingPathComponent("events.jsonl")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let reports = LogCapture()
        let log = EventLog(path: url.path, node: "web1", logger: reports.logger)
        for _ in 0..<5 { log.append("transition") }
        let seen = reports.messages
        #expect(seen.count == 1)
        #expect(seen.first?.contains("cannot open the event log \(url.path)") == true)
        #expect(reports.levels(containing: "cannot open") == [.error], "an operator's journalctl -p err shows it")
        // Fixed: writing works again, and says so once.
        try FileManager.default.removeItem(at: url)
        log.append("transition")
        #expect(reports.messages.count == 2)
        #expect(reports.levels(containing: "writable again") == [.info])
        #expect(try lines(url).count == 1)
    }
}
