import Foundation
import Glibc

/// Reads an append-only file line by line as it grows, like `tail -F`: a file replaced (rotated,
/// another inode) or truncated is read again from its start; a missing file is waited for.
struct EventLogTail {
    let path: String
    private var offset: UInt64 = 0
    private var inode: UInt64?
    private var partial = Data()

    init(path: String) { self.path = path }

    var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// The complete lines appended since the last call (a trailing line without its newline waits).
    mutating func readNewLines() -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        if inode != UInt64(info.st_ino) || UInt64(info.st_size) < offset {
            inode = UInt64(info.st_ino)
            offset = 0
            partial = Data()
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else {
            return []
        }
        offset += UInt64(data.count)
        partial.append(data)
        guard let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = partial[partial.startIndex...lastNewline]
        partial = Data(partial[partial.index(after: lastNewline)...])
        return String(decoding: complete, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
