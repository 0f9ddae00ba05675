import ArgumentParser
import FloatIPAgent
import Foundation

/// `floatip version [--json]`: the version, the git commit and the build date of this binary.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version, git commit and build date of this binary.",
        discussion: """
            A running agent reports the same in GET /v1/status (`build`) and in /metrics \
            (floatip_build_info). `unknown` commit and date: a development build (swift build) rather \
            than a stamped release build (packaging/build-deb.sh).
            """
    )

    @Flag(help: "Print {\"version\", \"commit\", \"date\"} as JSON.") var json = false

    func run() throws {
        let build = BuildInfo.current
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(build), as: UTF8.self))
        } else {
            print(build.line)
        }
    }
}
