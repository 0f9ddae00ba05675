import FloatIPLinux
/// Words for the `detail` of a check result: short, on one line, safe to print.
enum DetailText {
    /// Bytes shown as text: printable ASCII as it is, `\r` `\n` `\t` escaped, anything else as `\xNN`;
    /// at most `limit` bytes are shown, and `…` says there were more.
    static func printable(_ bytes: some Collection<UInt8>, limit: Int = 64) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\t"): text += "\\t"
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20..<0x7f: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return bytes.count > limit ? text + "…" : text
    }

    /// A line of output or log as it goes in a detail: invalid UTF-8 repaired, control characters
    /// dropped, cut to `limit` characters (and to `byteLimit` bytes: one character can hold any
    /// number of combining marks).
    static func line(_ bytes: some Collection<UInt8>, limit: Int = 200) -> String {
        bounded(OutputTail.printableLine(bytes, limit: limit))
    }

    /// The most UTF-8 bytes of a detail that may come from outside (a log line): details go to status,
    /// events and hooks' environment.
    static let byteLimit = 4096

    /// `text` cut to at most `bytes` UTF-8 bytes (on a Unicode scalar's boundary), `…` saying it was cut.
    static func bounded(_ text: String, bytes: Int = byteLimit) -> String {
        guard text.utf8.count > bytes else { return text }
        let ellipsis = "…"
        var kept = String.UnicodeScalarView()
        var size = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            if size + width > bytes - ellipsis.utf8.count { break }
            kept.append(scalar)
            size += width
        }
        return String(kept) + ellipsis
    }
}
