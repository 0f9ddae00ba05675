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
///
/// Only a regular file owned by one of the given owners is read: the path is opened with
/// `O_NOFOLLOW` (a symbolic link, to /etc/shadow say, is refused rather than followed) and
/// `O_NONBLOCK` (opening a FIFO must not wait for a writer), and what was opened is checked with
/// fstat(2). Anything else is `refused`, and tried again at the next read.
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
        /// Why the path was not read (not a regular file, a symbolic link, another owner, …).
        var refused: String?
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

    /// The complete lines appended since the last read (see the type's notes for rotation). A file
    /// (re)opened must belong to one of `owners`.
    mutating func read(owners: [uid_t] = [0]) -> Read {
        var result = Read()
        var budget = readLimit
        if fd < 0 {
            switch open(fromStart: started, owners: owners) {
            case .opened:
                started = true
            case .missing:
                started = true
                result.missing = true
                return result
            case .refused(let reason):
                // Not `started`: a file that is put right later is followed from its end, not read whole.
                result.refused = reason
                return result
            }
        } else if let current = identity(ofPath: path), current != (device, inode) {
            // Renamed away and replaced: finish the old file, then the new one from its start.
            readAppended(into: &result, budget: &budget)
            if !partial.isEmpty { result.lines.append(partial) }
            partial = []
            close()
            result.rotated = true
            switch open(fromStart: true, owners: owners) {
            case .opened: break
            case .missing:
                result.missing = true
                return result
            case .refused(let reason):
                result.refused = reason
                return result
            }
        }
        readAppended(into: &result, budget: &budget)
        return result
    }

    private enum Opening {
        case opened
        case missing
        case refused(String)
    }

    /// Opens `path` if it is a regular file of one of `owners`; at the end, or at 0 when `fromStart`.
    private mutating func open(fromStart: Bool, owners: [uid_t]) -> Opening {
        // lstat first, so that a FIFO or a device is never even opened (opening some has side effects);
        // then open without following links and check again what was opened (the path may change between).
        var before = stat()
        if lstat(path, &before) != 0 {
            return errno == ENOENT || errno == ENOTDIR ? .missing : .refused(cannot("look at", errno))
        }
        if let problem = problem(with: before, owners: owners) { return .refused(problem) }
        let opened = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard opened >= 0 else {
            let number = errno
            switch number {
            case ENOENT, ENOTDIR: return .missing
            case ELOOP: return .refused("\(path) is a symbolic link (not followed)")
            default: return .refused(cannot("open", number))
            }
        }
        var info = stat()
        guard fstat(opened, &info) == 0 else {
            let number = errno
            Glibc.close(opened)
            return .refused(cannot("look at", number))
        }
        if let problem = problem(with: info, owners: owners) {
            Glibc.close(opened)
            return .refused(problem)
        }
        fd = opened
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        position = fromStart ? 0 : info.st_size
        partial = []
        return .opened
    }

    /// Why a file with `info` is not read, or nil when it may be.
    private func problem(with info: stat, owners: [uid_t]) -> String? {
        Self.problem(path: path, info: info, owners: owners)
    }

    /// Why the file at `path` with `info` (from lstat or fstat) is not read, or nil when it may be.
    static func problem(path: String, info: stat, owners: [uid_t]) -> String? {
        switch info.st_mode & mode_t(S_IFMT) {
        case mode_t(S_IFREG): break
        case mode_t(S_IFLNK): return "\(path) is a symbolic link (not followed)"
        case mode_t(S_IFIFO): return "\(path) is a FIFO, not a regular file"
        case mode_t(S_IFCHR), mode_t(S_IFBLK): return "\(path) is a device, not a regular file"
        case mode_t(S_IFSOCK): return "\(path) is a socket, not a regular file"
        case mode_t(S_IFDIR): return "\(path) is a directory, not a regular file"
        default: return "\(path) is not a regular file"
        }
        guard owners.contains(info.st_uid) else {
            return "\(path) is owned by uid \(info.st_uid), not by " + owners.map { "uid \($0)" }.joined(separator: " or ")
        }
        // Any local user could write the lines the check judges.
        guard info.st_mode & mode_t(S_IWOTH) == 0 else {
            return "\(path) can be written by every user (mode 0\(String(info.st_mode & 0o777, radix: 8))); "
                + "run `chmod o-w \(path)`"
        }
        return nil
    }

    private func cannot(_ what: String, _ number: Int32) -> String {
        "cannot \(what) \(path): \(ProbeText.errorText(number))"
    }

    /// The path's own device and inode (a symbolic link's, not its target's).
    private func identity(ofPath path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
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
