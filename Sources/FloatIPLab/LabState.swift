import Foundation

/// What `floatip lab up` built, written to the lab's directory after every step so that
/// `floatip lab down` (another process, maybe after a crash) can remove all of it.
public struct LabState: Codable, Sendable, Equatable {
    /// The lab's name.
    public var name: String
    /// How many server nodes it was built with.
    public var nodes: Int
    /// The namespaces created so far.
    public var namespaces: [String] = []
    /// The processes started so far.
    public var processes: [LabProcess] = []

    public init(name: String, nodes: Int) {
        self.name = name
        self.nodes = nodes
    }

    /// Reads the state file at `path`, or nil if there is none or it cannot be read.
    public static func read(_ path: String) -> LabState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(LabState.self, from: data)
    }

    /// Writes the state to `path` (atomically: a crash leaves the old or the new file).
    func write(_ path: String) throws(LabError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .system("cannot write \(path): \(error)")
        }
    }
}
