import FloatIPCore
import FloatIPTestSupport
import Foundation
import Synchronization
import Testing

@testable import FloatIPAgent

/// The boot record: this node's boot ids grow across restarts and clock steps, and the peers' boot
/// ids it accepted survive its restart (docs/protocol.md, "Replay window and boot ids").
@Suite struct BootRecordTests {
    func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func bootIDsGrowAcrossRestartsEvenWhenTheClockStepsBack() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        let notes = LogCapture()
        let first = BootRecord(directory: state, node: "web1", wallMilliseconds: 5_000, logger: notes.logger)
        #expect(first.bootID == 5_000)
        #expect(first.peerBoots.isEmpty)
        // The clock stepped back an hour before the restart.
        let second = BootRecord(directory: state, node: "web1", wallMilliseconds: 1_000, logger: notes.logger)
        #expect(second.bootID == 5_001)
        #expect(notes.all.contains { $0.contains("kept above it") })
        let third = BootRecord(directory: state, node: "web1", wallMilliseconds: 9_000, logger: notes.logger)
        #expect(third.bootID == 9_000)
        let mode = try FileManager.default.attributesOfItem(atPath: try #require(third.path))[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test func peersBootsSurviveARestart() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = BootRecord(directory: directory.path, node: "web2", wallMilliseconds: 100)
        record.remember(["web1": 1_000])
        record.remember(["web1": 900, "web3": 7])  // never lowered
        record.flush()
        let restarted = BootRecord(directory: directory.path, node: "web2", wallMilliseconds: 50)
        #expect(restarted.peerBoots == ["web1": 1_000, "web3": 7])
        #expect(restarted.bootID == 101)
        // Another node sharing the directory keeps a file of its own.
        let other = BootRecord(directory: directory.path, node: "web1", wallMilliseconds: 10)
        #expect(other.bootID == 10 && other.peerBoots.isEmpty)
    }

    @Test func aDamagedFileIsTreatedAsLostAndSaysSo() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(BootRecord.fileName(node: "web1")).path
        try "boot 12\npeer web2 nonsense\n".write(toFile: path, atomically: true, encoding: .utf8)
        let notes = LogCapture()
        let record = BootRecord(directory: directory.path, node: "web1", wallMilliseconds: 3, logger: notes.logger)
        #expect(record.bootID == 3 && record.peerBoots.isEmpty)
        #expect(notes.all.contains { $0.contains("line 2") && $0.contains(path) })
        // … and rewritten whole.
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("boot 3\n"))
    }

    @Test func withoutAStateDirectoryTheWallClockAloneAndANote() {
        let notes = LogCapture()
        let record = BootRecord(directory: nil, node: "web1", wallMilliseconds: 42, logger: notes.logger)
        #expect(record.bootID == 42 && record.path == nil)
        #expect(notes.all.first?.contains("state_dir") == true)
        #expect(BootRecord.directory(configured: "/x", environment: ["STATE_DIRECTORY": "/y"]) == "/x")
        #expect(BootRecord.directory(configured: nil, environment: ["STATE_DIRECTORY": "/var/lib/floatip:/z"])
            == "/var/lib/floatip")
    }
}
