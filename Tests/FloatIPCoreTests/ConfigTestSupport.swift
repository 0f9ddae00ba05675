@testable import FloatIPCore

/// The problems `ConfigParser` reports for `yaml` (none when it parses), as reported against `web.yaml`.
func problems(_ yaml: String) -> [ConfigProblem] {
    switch ConfigParser.parse(yaml: yaml, file: "web.yaml") {
    case .success: return []
    case .failure(let errors): return errors.problems
    }
}

extension String {
    /// The text with line `number` (1-based) replaced: config tests change one line so line numbers hold.
    func replacingLine(_ number: Int, with text: String) -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[number - 1] = text
        return lines.joined(separator: "\n")
    }
}
