import Foundation

/// What can go wrong while building, running or removing a lab, in words an operator can act on.
public enum LabError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not root: namespaces, bridges and addresses need CAP_NET_ADMIN.
    case needsRoot
    /// A lab name that is not 1–20 of `a-z`, `0-9` and `-` (starting with a letter or digit).
    case badName(String)
    /// A node count outside 2…5.
    case badNodeCount(Int)
    /// A lab of this name exists already (its directory or one of its namespaces).
    case exists(String)
    /// A program the lab needs is missing (`ip` from iproute2).
    case missingTool(String)
    /// A command failed: its arguments, exit status and standard error.
    case command(arguments: [String], status: Int32, stderr: String)
    /// A system call failed.
    case system(String)
    /// Something the lab waits for did not happen in time.
    case timeout(String)
    /// SIGINT or SIGTERM arrived: the lab is torn down.
    case interrupted

    public var description: String {
        switch self {
        case .needsRoot:
            return "floatip lab needs root (network namespaces): run it with sudo"
        case .badName(let name):
            return "lab name '\(name)': use 1 to 20 of a-z, 0-9 and '-', starting with a letter or digit"
        case .badNodeCount(let count):
            return "--nodes \(count): a lab has 2 to 5 nodes"
        case .exists(let name):
            return "a lab named '\(name)' exists already: remove it with `floatip lab down --name \(name)` or pick --name"
        case .missingTool(let tool):
            return "\(tool) not found"
        case .command(let arguments, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(arguments.joined(separator: " ")) exited \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .system(let text):
            return text
        case .timeout(let what):
            return "timed out: \(what)"
        case .interrupted:
            return "interrupted"
        }
    }
}
