import Foundation
import Testing

/// The man page (packaging/floatip.8) and the shell completions, checked against the command
/// definitions themselves, so neither can silently go stale.
@Suite(.serialized) struct ManualTests {
    /// One command as `floatip --help` and its subcommands' `--help` list it: its path
    /// (`["mover", "claim"]`) and its long options.
    struct Command {
        var path: [String]
        var options: [String]
    }

    /// Every subcommand, recursively, from the binary's own help.
    static func commands(_ path: [String] = []) throws -> [Command] {
        let help = try CLITests.run(path + ["--help"], limit: .seconds(20))
        #expect(help.status == 0, "floatip \(path.joined(separator: " ")) --help: \(help.stderr)")
        var found: [Command] = []
        if !path.isEmpty { found.append(Command(path: path, options: longOptions(help.stdout))) }
        for name in section("SUBCOMMANDS", of: help.stdout) {
            found += try commands(path + [name])
        }
        return found
    }

    /// The first word of each entry of a help section (`SUBCOMMANDS:`): lines two spaces in, up to a blank line.
    static func section(_ title: String, of help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("\(title):") }) else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0 != "help" }
    }

    /// The `--long` options of one command's help, without the ones every command has.
    static func longOptions(_ help: String) -> [String] {
        let words = help.split(whereSeparator: { " ,<>[]()=\n".contains($0) })
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".;:'`\"")) }
        let options = Set(words.filter { $0.hasPrefix("--") && $0.count > 2 })
        return options.subtracting(["--help", "--version", "--experimental-dump-help", "--generate-completion-script"])
            .sorted()
    }

    /// The man page's source with roff's escapes for `-` and fonts removed, split at `.SS` headings.
    static func manSections() throws -> [(title: String, text: String)] {
        let source = try String(contentsOf: PackagingFiles.url("packaging/floatip.8"), encoding: .utf8)
        let plain = source.replacingOccurrences(of: "\\-", with: "-")
            .replacingOccurrences(of: #"\\f[BIRP]"#, with: "", options: .regularExpression)
        var sections: [(title: String, text: String)] = [("", "")]
        for line in plain.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(".SS ") || line.hasPrefix(".SH ") {
                sections.append((line.dropFirst(4).replacingOccurrences(of: "\"", with: ""), ""))
            } else {
                sections[sections.count - 1].text += line + "\n"
            }
        }
        return sections
    }

    @Test func theManPageDocumentsEverySubcommandAndOption() throws {
        let commands = try Self.commands()
        #expect(commands.map(\.path).contains(["agent"]) && commands.map(\.path).contains(["mover", "claim"]), "\(commands)")
        #expect(commands.map(\.path).contains(["version"]))
        let sections = try Self.manSections()
        let apiOptions = sections.first { $0.title == "API options" }?.text ?? ""
        for command in commands {
            // `.SS "floatip mover claim|release|holder …"` documents `mover` and each of its subcommands.
            let section = sections.first { section in
                let words = section.title.split(separator: " ").map(String.init)
                guard words.count >= 2, words[0] == "floatip", words[1] == command.path[0] else { return false }
                return command.path.count == 1 || (words.count > 2 && words[2].split(separator: "|").contains { $0 == command.path[1] })
            }
            let name = "floatip " + command.path.joined(separator: " ")
            guard let section else {
                Issue.record("packaging/floatip.8 has no .SS section for `\(name)`")
                continue
            }
            for option in command.options where !(section.title + section.text + apiOptions).contains(option) {
                Issue.record("packaging/floatip.8 does not mention \(option) of `\(name)`")
            }
        }
        let headings = Set(sections.map(\.title))
        for required in ["SYNOPSIS", "DESCRIPTION", "COMMANDS", "CONFIGURATION", "SIGNALS", "EXIT STATUS", "FILES", "EXAMPLES"] {
            #expect(headings.contains(required), "no \(required) section")
        }
    }

    @Test func theExitCodesInTheManPageAreTheOnesTheProgramUses() throws {
        let sections = try Self.manSections()
        let exits = try #require(sections.first { $0.title == "EXIT STATUS" }).text
        for code in ["0", "1", "3", "64", "130"] { #expect(exits.contains(".B \(code)\n"), "exit status \(code)") }
        // A missing config: one line naming the file, exit 1 (what the unit's journal shows).
        let missing = try CLITests.run(["agent", "--config", "/nonexistent/floatip.yaml"], limit: .seconds(20))
        #expect(missing.status == 1)
        #expect(missing.stderr == "/nonexistent/floatip.yaml: cannot read the config file: no such file\n")
        #expect(exits.contains("/etc/floatip/floatip.yaml: cannot read the config file: no such file"))
        let usage = try CLITests.run(["agent", "--no-such-option"], limit: .seconds(20))
        #expect(usage.status == 64)
    }

    @Test func groffRendersItWithoutWarnings() throws {
        guard let groff = ExternalTool.find("groff", for: "rendering the man page", package: "groff-base") else { return }
        let run = try ExternalTool.run([groff, "-man", "-ww", "-z", PackagingFiles.url("packaging/floatip.8").path])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
        guard let man = ExternalTool.find("man", for: "man -l", package: "man-db") else { return }
        let page = try ExternalTool.run([man, "-P", "cat", "-l", PackagingFiles.url("packaging/floatip.8").path], environment: ["MANWIDTH": "80"])
        #expect(page.status == 0, "\(page.stderr)")
        #expect(page.stderr.isEmpty, "\(page.stderr)")
        for text in ["FLOATIP(8)", "EXIT STATUS", "floatip check-config FILE", "STOPPING=1"] {
            #expect(page.stdout.contains(text), "\(text) not in the rendered page")
        }
    }

    @Test func theBashCompletionSourcesAndCompletesSubcommandsAndOptions() throws {
        let script = try CLITests.run(["--generate-completion-script", "bash"], limit: .seconds(20))
        #expect(script.status == 0, "\(script.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-completion-\(UUID().uuidString).bash")
        try Data(script.stdout.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // Source it in a non-interactive bash, then ask the completion function as bash would on TAB.
        let probe = """
            set -e
            source \(file.path)
            complete -p floatip
            complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; \
            COMPREPLY=(); $(complete -p floatip | sed -E 's/.*-F ([^ ]+).*/\\1/') floatip "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"; \
            echo "${COMPREPLY[*]}"; }
            complete_words floatip ag
            complete_words floatip agent --
            complete_words floatip mover ""
            """
        let run = try ExternalTool.run(["/bin/bash", "-c", probe])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("complete ") == true && lines.first?.contains(" -F ") == true, "\(run.stdout)")
        #expect(lines.dropFirst().first == "agent", "\(run.stdout)")
        #expect(lines.dropFirst(2).first?.contains("--config") == true, "\(run.stdout)")
        #expect(lines.dropFirst(3).first.map { $0.contains("claim") && $0.contains("release") } == true, "\(run.stdout)")
    }

    @Test(arguments: [("zsh", "zsh", ["-n"]), ("fish", "fish", ["--no-execute"])])
    func theOtherShellsParseTheirCompletion(shell: String, package: String, check: [String]) throws {
        let script = try CLITests.run(["--generate-completion-script", shell], limit: .seconds(20))
        #expect(script.status == 0 && script.stdout.contains("floatip"), "\(script.stderr)")
        guard let program = ExternalTool.find(shell, for: "parsing the \(shell) completion", package: package) else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-completion-\(UUID().uuidString).\(shell)")
        try Data(script.stdout.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try ExternalTool.run([program] + check + [file.path])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
    }
}
