import Foundation
import Testing

/// The files under packaging/ and docs/, found from this source file (tests may run from anywhere).
enum PackagingFiles {
    /// The package's root directory.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
