import FloatIPCore
import Glibc

/// Resolves a check's `LocalUser` to a uid through the system's user database (getpwnam_r: files,
/// and whatever else NSS is set up with). Blocking: call it off the concurrency pool (`OffPoolCall`).
enum UserLookup {
    /// The uid, or why there is none (`no user named "nginx" on this system`).
    static func uid(of user: LocalUser) -> Result<uid_t, Failure> {
        switch user {
        case .uid(let uid):
            return .success(uid_t(uid))
        case .name(let name):
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>?
            var buffer = [CChar](repeating: 0, count: 4096)
            // ERANGE: the entry does not fit; grow the buffer (bounded: 1 MiB is far beyond any entry).
            while true {
                let status = buffer.withUnsafeMutableBufferPointer {
                    getpwnam_r(name, &entry, $0.baseAddress!, $0.count, &found)
                }
                if status == ERANGE && buffer.count < 1 << 20 {
                    buffer = [CChar](repeating: 0, count: buffer.count * 4)
                    continue
                }
                if status != 0 { return .failure(Failure(description: "cannot look up user \"\(name)\": "
                    + ProbeText.errorText(status))) }
                guard let found else {
                    return .failure(Failure(description: "no user named \"\(name)\" on this system"))
                }
                return .success(found.pointee.pw_uid)
            }
        }
    }

    /// `root (uid 0)` for a name, `uid 33` for a number.
    static func text(_ user: LocalUser, uid: uid_t) -> String {
        switch user {
        case .name(let name): "\(name) (uid \(uid))"
        case .uid: "uid \(uid)"
        }
    }

    /// Why a user could not be resolved.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
