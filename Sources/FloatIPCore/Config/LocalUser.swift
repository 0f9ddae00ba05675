/// A local user as a check option names it (`user:` of a `process` check, `owner:` of a `log` check):
/// a name (`www-data`) or a numeric uid (`33`). The config keeps it as written; the check resolves a
/// name when it runs (the core reads no user database).
public enum LocalUser: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case uid(UInt32)

    /// `root`, `33`: as the config writes it.
    public var description: String {
        switch self {
        case .name(let name): name
        case .uid(let uid): String(uid)
        }
    }

    /// Reads `text`: all digits is a uid (0 to 4294967294; 4294967295 is "no user"), anything else must
    /// be a user name (see `nameRule`). Nil when it is neither.
    public init?(_ text: String) {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard text.utf8.count <= 10, let uid = UInt32(text), uid != UInt32.max else { return nil }
            self = .uid(uid)
            return
        }
        guard Self.isUserName(text) else { return nil }
        self = .name(text)
    }

    /// What a user name may look like, for error messages.
    public static let nameRule =
        "write a user name such as `www-data` (1 to 32 letters, digits, `_`, `.` or `-`, not starting with `-`) "
        + "or a numeric uid such as `33`"

    /// Letters, digits, `_`, `.`, `-`; 1 to 32 bytes; not starting with `-`; a trailing `$` (Samba machine
    /// accounts) allowed.
    static func isUserName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "$") where index == bytes.count - 1 && index > 0:
                continue
            default:
                return false
            }
        }
        return true
    }
}
