import Foundation

/// The API's Unix socket as a file: made ready before the bind (its directory present, a stale
/// socket of a dead agent removed, a live one left alone) and given its mode after.
enum APISocketFile {
    /// Creates the socket's directory if missing (mode 0755: the socket's own mode guards it) and
    /// removes a socket nobody serves. Throws why the path cannot be used.
    static func prepare(_ path: String) throws(APIServerError) {
        func failure(_ reason: String) -> APIServerError {
            APIServerError(listen: path, field: "api.socket", reason: reason)
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw failure("cannot create its directory \(directory): \(error.localizedDescription)")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw failure("\(path) exists and is not a socket; remove it or choose another api.socket")
        }
        if isServed(path) {
            throw failure("another process (another floatip agent?) serves \(path)")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw failure("cannot remove the stale socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether something accepts connections on the socket at `path`.
    static func isServed(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// Gives the bound socket mode 0660 and group `floatip` when that group exists (the agent may
    /// change the group without CAP_CHOWN when it is a member: the unit's SupplementaryGroups),
    /// else mode 0600, root only. Returns a line for the log when it could not.
    static func secure(_ path: String, policy: PeerPolicy) -> String? {
        guard let group = policy.groupID else {
            return chmod(path, 0o600) == 0 ? nil : "api.socket \(path): cannot set mode 0600: \(String(cString: strerror(errno)))"
        }
        if chown(path, uid_t.max, group) != 0 {
            let why = String(cString: strerror(errno))
            _ = chmod(path, 0o600)
            return "api.socket \(path): cannot give it group \(PeerPolicy.groupName) (\(why)); mode 0600, root only "
                + "(run the agent with SupplementaryGroups=\(PeerPolicy.groupName))"
        }
        return chmod(path, 0o660) == 0 ? nil : "api.socket \(path): cannot set mode 0660: \(String(cString: strerror(errno)))"
    }
}
