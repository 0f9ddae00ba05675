import Glibc

/// Follows a log file like `tail -F`: the first read starts at the end (history is not read), each read
/// returns only the complete lines appended since the last one, and it follows rotation.
///
/// - Rename (logrotate's default): the path names a new file. The rest of the old file is read first
///   (it is still open), then the new file from its start.
/// - Truncation (copytruncate): the file is shorter than the position; reading starts again at 0.
/// - A file that is missing at the first read is read from its start once it appears (it is new).
///
/// A read takes at most `readLimit` bytes; what is left waits for the next read (the file is never
/// read again from its start). A line longer than `lineLimit` is cut there.
struct LogTail {
    let path: String
    let readLimit: Int
    let lineLimit: Int

    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var position: off_t = 0
    private var partial: [UInt8] = []
    private var started = false

    /// What a read found.
    struct Read {
        /// Complete new lines, without their newline.
        var lines: [[UInt8]] = []
        /// The file does not exist (now).
        var missing = false
        /// The file was renamed away and a new one followed.
        var rotated = false
        /// The file was truncated.
        var truncated = false
    }

    init(path: String, readLimit: Int = 1 << 20, lineLimit: Int = 64 * 1024) {
        self.path = path
        self.readLimit = readLimit
        self.lineLimit = lineLimit
    }

    /// Closes the file; a later read opens it again as if it were new.
    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// The complete lines appended since the last read (see the type's notes for rotation).
    mutating func read() -> Read {
        var result = Read()
        var budget = readLimit
        if fd < 0 {
            guard open(fromStart: started) else {
                started = true
                result.missing = true
                return result
            }
            started = true
        } else if let current = identity(ofPath: path), current != (device, inode) {
            // Renamed away and replaced: finish the old file, then the new one from its start.
            readAppended(into: &result, budget: &budget)
            if !partial.isEmpty { result.lines.append(partial) }
            partial = []
            close()
            result.rotated = true
            guard open(fromStart: true) else {
                result.missing = true
                return result
            }
        }
        readAppended(into: &result, budget: &budget)
        return result
    }

    /// Opens `path`; at the end, or at 0 when `fromStart`.
    private mutating func open(fromStart: Bool) -> Bool {
        let opened = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { return false }
        var info = stat()
        guard fstat(opened, &info) == 0 else {
            Glibc.close(opened)
            return false
        }
        fd = opened
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        position = fromStart ? 0 : info.st_size
        partial = []
        return true
    }

    private func identity(ofPath path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Reads the open file from `position` to its current size (at most `budget` bytes) into lines.
    private mutating func readAppended(into result: inout Read, budget: inout Int) {
        var info = stat()
        guard fd >= 0, fstat(fd, &info) == 0 else { return }
        if info.st_size < position {
            position = 0
            partial = []
            result.truncated = true
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        // Bounded by the budget: each turn reads at least one byte or stops.
        while budget > 0 && position < info.st_size {
            let wanted = min(chunk.count, budget, Int(info.st_size - position))
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted, position) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            position += off_t(count)
            budget -= count
            split(chunk[0..<count], into: &result.lines)
        }
    }

    /// Appends the complete lines of `bytes` (with the partial line kept from before) to `lines`.
    private mutating func split(_ bytes: ArraySlice<UInt8>, into lines: inout [[UInt8]]) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            partial.append(contentsOf: bytes[start..<newline])
            lines.append(partial.last == UInt8(ascii: "\r") ? Array(partial.dropLast()) : partial)
            partial = []
            start = bytes.index(after: newline)
        }
        partial.append(contentsOf: bytes[start...])
        if partial.count >= lineLimit {
            lines.append(Array(partial.prefix(lineLimit)))
            partial = []
        }
    }
}
