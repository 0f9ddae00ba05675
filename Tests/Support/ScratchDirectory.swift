import Foundation

/// A fresh directory under the system's temporary directory for one test, named
/// `PREFIX-UUID` so parallel runs never share one; removed by `remove()`.
public struct ScratchDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ prefix: String = "floatip-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
