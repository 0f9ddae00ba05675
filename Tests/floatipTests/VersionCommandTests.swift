import Foundation
import Testing

/// `floatip version`: what this binary is.
@Suite struct VersionCommandTests {
    @Test func printsVersionCommitAndDateAsTextAndJSON() throws {
        let text = try CLITests.run(["version"], limit: .seconds(20))
        #expect(text.status == 0, "\(text.stderr)")
        let json = try CLITests.run(["version", "--json"], limit: .seconds(20))
        #expect(json.status == 0, "\(json.stderr)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String])
        #expect(Set(fields.keys) == ["version", "commit", "date"])
        let version = try #require(fields["version"])
        #expect(version.split(separator: ".").count == 3 && version.allSatisfy { $0.isNumber || $0 == "." }, "\(version)")
        // A test build is a development build (no stamp), or a stamped one with a 12-digit commit.
        let commit = try #require(fields["commit"])
        #expect(commit == "unknown" || commit.prefix(12).allSatisfy(\.isHexDigit), "\(commit)")
        #expect(text.stdout == "floatip \(version) (commit \(commit), built \(fields["date"] ?? ""))\n")
        // --version says the same line.
        let flag = try CLITests.run(["--version"], limit: .seconds(20))
        #expect(flag.stdout == text.stdout)
    }
}
