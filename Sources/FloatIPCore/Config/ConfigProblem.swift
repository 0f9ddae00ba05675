/// One thing wrong with a config file: where it is and what is allowed instead.
///
/// Printed as `FILE:LINE: path.to.field: message`, or `FILE: path: message` when the line is
/// not known (a problem found outside the YAML, such as an unreadable secret file).
public struct ConfigProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The config file's name as the operator gave it.
    public var file: String
    /// The 1-based line the problem is on, when known.
    public var line: Int?
    /// The field, as `groups[0].addresses[1]` or `timers.interval`; empty for the whole file.
    public var path: String
    /// What is wrong, and what is allowed.
    public var message: String

    public init(file: String, line: Int?, path: String, message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// Every problem found in one config file. A config with problems is never half-applied.
public struct ConfigErrors: Error, Equatable, Sendable, CustomStringConvertible {
    /// The problems in file order (problems without a line last).
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
