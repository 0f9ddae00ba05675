extension KeepalivedParser {
    /// The keywords whose line keepalived 2.2.7 reads a second time as a command (vrrp_parser.c's
    /// `script` handler, notify.c's `notify_script_init`): the word after the keyword is the command,
    /// split again into the program and its arguments, with `'…'`, `"…"` and `\` escapes.
    static let commandKeywords: Set = [
        "script", "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify_deleted",
        "notify_master_rx_lower_pri",
    ]

    /// A command line's arguments as keepalived runs them: the command word re-split into the words
    /// keepalived passes to execve(2), written back as one shell-quoted line (a word with a blank,
    /// a quote or a backslash in `'…'`; the others bare, so a plain command reads as before), then
    /// the line's other words: notify's user and group. `script` takes the one word and ignores the
    /// rest (`script /bin/echo a` runs `/bin/echo`, as keepalived's own dump shows).
    static func commandArguments(of line: Substring, at location: KeepalivedLocation) throws(KeepalivedParseError) -> [String]? {
        let words = try quotedEscapedWords(uncommented(line), at: location)
        guard words.count >= 2, commandKeywords.contains(words[0]) else { return nil }
        let program = try quotedEscapedWords(Substring(words[1]), at: location)
        let command = program.map(shellQuoted).joined(separator: " ")
        return [command] + (words[0] == "script" ? [] : words.dropFirst(2))
    }

    /// The line up to its comment, as keepalived's `decomment` (read twice) leaves it: `#` or `!`
    /// outside `"…"`, or `\#`, `\!` there, ends it; another `\` keeps the character after it.
    static func uncommented(_ line: Substring) -> Substring {
        var inQuotes = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            let next = line.index(after: index)
            if character == "\\", next < line.endIndex {
                if !inQuotes, line[next] == "#" || line[next] == "!" { return line[..<index] }
                index = line.index(after: next)
                continue
            }
            if character == "\"" { inQuotes.toggle() }
            if !inQuotes, character == "#" || character == "!" { return line[..<index] }
            index = next
        }
        return line
    }

    /// keepalived's `alloc_strvec_quoted_escaped` (lib/parser.c): words split at blanks; `'…'` and
    /// `"…"` group (the quotes dropped); `\` escapes the next character, with `\a \b \E \f \n \r \t
    /// \v`, `\xHH`, octal `\NNN` and `\cX` (a control character). An unclosed quote or a `\` at the
    /// end is keepalived's error (it then ignores the command): here an error at the line.
    public static func quotedEscapedWords(_ text: Substring, at location: KeepalivedLocation) throws(KeepalivedParseError) -> [String] {
        let bytes = Array(text.utf8)
        var words: [String] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        func octal(_ byte: UInt8) -> UInt8? { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) ? byte - UInt8(ascii: "0") : nil }
        let blanks: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        while index < bytes.count {
            while index < bytes.count, blanks.contains(bytes[index]) { index += 1 }
            guard index < bytes.count else { break }
            var word: [UInt8] = []
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count else {
                        throw KeepalivedParseError(location, "`\\` ends the command: keepalived escapes the character after it, finds none, and ignores the command")
                    }
                    let next = bytes[index]
                    index += 1
                    if next == UInt8(ascii: "x"), index < bytes.count, var value = hex(bytes[index]) {
                        // keepalived reads every hex digit that follows, keeping the low byte.
                        index += 1
                        while index < bytes.count, let digit = hex(bytes[index]) {
                            value = value << 4 | digit
                            index += 1
                        }
                        word.append(value)
                    } else if next == UInt8(ascii: "c"), index < bytes.count {
                        word.append(bytes[index] & 0x1f)
                        index += 1
                    } else if var value = octal(next) {
                        for _ in 0..<2 {
                            guard index < bytes.count, let digit = octal(bytes[index]) else { break }
                            value = value << 3 &+ digit
                            index += 1
                        }
                        word.append(value)
                    } else {
                        let escapes: [UInt8: UInt8] = [
                            UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "E"): 0x1b, UInt8(ascii: "f"): 12,
                            UInt8(ascii: "n"): 10, UInt8(ascii: "r"): 13, UInt8(ascii: "t"): 9, UInt8(ascii: "v"): 11,
                        ]
                        word.append(escapes[next] ?? next)
                    }
                } else if let open = quote {
                    if byte == open { quote = nil } else { word.append(byte) }
                    index += 1
                } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                    quote = byte
                    index += 1
                } else if blanks.contains(byte) {
                    break
                } else {
                    word.append(byte)
                    index += 1
                }
            }
            if let quote {
                throw KeepalivedParseError(location, "the command's \(quote == UInt8(ascii: "'") ? "'…'" : "\"…\"") is not closed: keepalived ignores the command")
            }
            words.append(String(decoding: word, as: UTF8.self))
        }
        return words
    }

    /// A word for /bin/sh: in `'…'` when it is empty or has a blank, a quote, a backslash, `#`, `!` or a
    /// control character (what only quoting or escaping gives a keepalived word); else bare, so the
    /// converter reads a plain command as it always has.
    static func shellQuoted(_ word: String) -> String {
        let quoted = word.isEmpty || word.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7f || "'\"\\#!".unicodeScalars.contains($0) }
        return quoted ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
    }
}
