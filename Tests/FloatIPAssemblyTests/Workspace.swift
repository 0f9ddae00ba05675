import FloatIPCore
import Foundation
import Testing

/// A fresh directory with a secret file (mode 0600) for one test, and configs written into it.
/// Everything it holds is removed by `remove()`.
struct Workspace {
    let directory: URL

    init(secret: String = "0123456789abcdef0123456789abcdef\n", mode: Int = 0o600) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-assembly-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write("secret", secret, mode: mode)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes `text` to the file `name` with `mode`; returns its path.
    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let file = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        return file
    }

    /// A LAN cluster of two nodes on 127.0.0.1 (`port` for this one), with `extra` YAML appended at the top level.
    func yaml(port: Int = 7946, groups: String? = nil, extra: String = "") -> String {
        """
        cluster: web
        node: { name: web1, address: 127.0.0.1, port: \(port) }
        peers:
          - { name: web2, address: 127.0.0.2, port: \(port) }
        secret_file: \(path("secret"))
        state_dir: \(path("state"))
        api: { socket: \(path("api.sock")), listen: "off" }
        groups:

        """ + (groups ?? """
          - name: web
            addresses: [198.18.0.100/32]
            interface: lo
            priority: 200

        """) + extra
    }

    /// The config `yaml` parsed, or the test fails with its problems.
    func config(_ yaml: String, file: String = "web.yaml") throws -> ClusterConfig {
        switch ConfigParser.parse(yaml: yaml, file: file) {
        case .success(let config): return config
        case .failure(let errors):
            Issue.record("the test's config is invalid: \(errors.problems.map(\.description))")
            throw errors
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
