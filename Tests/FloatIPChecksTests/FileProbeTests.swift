import FloatIPChecks
import FloatIPCore
import Foundation
import Testing

@Suite struct FileProbeTests {
    @Test func existsFollowsTheRealFile() async throws {
        let scratch = try ScratchDirectory("floatip-checks")
        defer { scratch.remove() }
        let path = scratch.file("maintenance")
        let exists = try probe(check(.file, path))
        let absent = try probe(check(.file, path, options: .file(FileCheckOptions(expect: .absent))))

        var result = await exists.run()
        #expect(!result.passed && result.detail == "\(path) does not exist")
        result = await absent.run()
        #expect(result.passed && result.detail == "\(path) is absent")

        _ = FileManager.default.createFile(atPath: path, contents: Data())
        result = await exists.run()
        #expect(result.passed && result.detail == "\(path) exists")
        result = await absent.run()
        #expect(!result.passed && result.detail == "\(path) exists (the check expects it absent)")
        #expect(result.duration >= .zero && result.duration < .milliseconds(500))
    }

    @Test func aPathThroughAFileIsAbsent() async throws {
        let scratch = try ScratchDirectory("floatip-checks")
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.file("plain"), contents: Data())
        let result = try await probe(check(.file, scratch.file("plain") + "/inside")).run()
        #expect(!result.passed && result.detail.hasSuffix("/plain/inside does not exist"))
    }
}
