import Yams

extension ConfigParser {
    /// The line of every field in `yaml`, by its path as problems name it (`checks[1].target`,
    /// `secret_file`): for shells that find a problem outside the YAML (a missing program) and
    /// report it at its line. Empty when the text is not YAML.
    public static func fieldLines(yaml: String) -> [String: Int] {
        guard let root = try? Yams.compose(yaml: yaml) else { return [:] }
        var lines: [String: Int] = [:]
        collectLines(root, path: "", into: &lines, depth: 0)
        return lines
    }

    /// Walks mappings and sequences (to a bounded depth: configs are shallow).
    private static func collectLines(_ node: Node, path: String, into lines: inout [String: Int], depth: Int) {
        guard depth < 16 else { return }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { continue }
                let keyPath = Fields.join(path, name)
                if let line = value.mark?.line ?? key.mark?.line { lines[keyPath] = line }
                collectLines(value, path: keyPath, into: &lines, depth: depth + 1)
            }
        case .sequence(let sequence):
            for (index, item) in sequence.enumerated() {
                let itemPath = "\(path)[\(index)]"
                if let line = item.mark?.line { lines[itemPath] = line }
                collectLines(item, path: itemPath, into: &lines, depth: depth + 1)
            }
        case .scalar, .alias:
            break
        }
    }
}
