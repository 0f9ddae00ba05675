import Foundation

/// Code blocks of the repository's docs, for tests that run the examples the docs show (so the
/// docs cannot drift from what is tested).
public enum DocsExample {
    /// The repository's root, found from this source file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The first fenced code block of `document` (`docs/movers.md`) that contains `marker`.
    public static func block(in document: String, containing marker: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
        var inside = false
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if inside {
                    let block = lines.joined(separator: "\n") + "\n"
                    if block.contains(marker) { return block }
                    lines = []
                }
                inside.toggle()
            } else if inside {
                lines.append(line)
            }
        }
        throw Missing(description: "no code block with \(marker) in \(document)")
    }

    /// The block of `document` containing `marker`, with each of `replacing`'s keys replaced by its
    /// value (each must occur), written to an executable file at `path`.
    public static func writeScript(
        from document: String, containing marker: String, replacing: [String: String] = [:], to path: String
    ) throws {
        var script = try block(in: document, containing: marker)
        for (old, new) in replacing {
            guard script.contains(old) else { throw Missing(description: "\(old) is not in the example \(marker)") }
            script = script.replacingOccurrences(of: old, with: new)
        }
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
}
