/// Reads keepalived.conf as keepalived does: `#` and `!` start comments (so do `\#` and `\!`, as
/// keepalived's VRRP process reads them), `"…"` quotes a word with spaces (`'` is a plain character,
/// except in a script or notify command: `commandArguments`), `{` and `}` open and close blocks (on
/// the statement's line or the next), `include PATTERN` and its variants read other files (a glob,
/// relative to the including file's directory). A `\` ending a line continues a `$NAME=` definition
/// only; anywhere else it is an error here (keepalived glues it to the line's last word). Pure: the
/// files come from `source`, which the caller implements with the file system (or a dictionary, in tests).
public struct KeepalivedParser {
    /// What the parser asks of the outside world.
    public protocol Source {
        /// The files `pattern` names (a glob; relative patterns are resolved against `directory`), each
        /// with its text, in the order keepalived reads them (sorted); none when nothing matches.
        func files(matching pattern: String, relativeTo directory: String) throws -> [(path: String, text: String)]
    }

    /// `include` and its variants with checks (keepalived.conf(5)): each reads the files a pattern matches.
    static let includes: Set = ["include", "includer", "includem", "includew", "includeb", "includea"]

    /// Includes deeper than this are a loop (keepalived's own limit is about as deep).
    static let maxIncludeDepth = 8

    let source: any Source

    public init(source: any Source) { self.source = source }

    /// The statements of `text` (read from `file`), includes expanded in place.
    public func parse(_ text: String, file: String) throws(KeepalivedParseError) -> [KeepalivedStatement] {
        var builder = Builder()
        try read(text, file: file, depth: 0, into: &builder)
        return try builder.finish(at: KeepalivedLocation(file: file, line: text.split(separator: "\n", omittingEmptySubsequences: false).count))
    }

    private func read(_ text: String, file: String, depth: Int, into builder: inout Builder) throws(KeepalivedParseError) {
        var definitionContinues = false
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let location = KeepalivedLocation(file: file, line: offset + 1)
            let continued = Self.endsInContinuation(line)
            // keepalived continues a `$NAME=` definition over lines ending in `\`: they are its value.
            if definitionContinues {
                definitionContinues = continued
                continue
            }
            var tokens = try Self.tokens(of: line, at: location)
            if continued, case .word(let first) = tokens.first {
                guard first.hasPrefix("$"), first.contains("=") else {
                    throw KeepalivedParseError(location, "`\\` at the end of the line: keepalived 2.2.7 continues only "
                        + "`$NAME=` definitions; it reads this line alone, the `\\` stuck to its last word "
                        + "(`\(Self.lastWord(of: tokens))\\`): join the lines")
                }
                definitionContinues = true
            }
            if case .word(let keyword) = tokens.first, Self.commandKeywords.contains(keyword), !tokens.contains(.open),
                !tokens.contains(.close), let arguments = try Self.commandArguments(of: line, at: location)
            {
                tokens = [.word(keyword)] + arguments.map(Token.word)
            }
            if case .word(let keyword) = tokens.first, Self.includes.contains(keyword), builder.atStatementStart {
                guard tokens.count == 2, case .word(let pattern) = tokens[1] else {
                    throw KeepalivedParseError(location, "\(keyword) takes one file or pattern")
                }
                guard depth < Self.maxIncludeDepth else {
                    throw KeepalivedParseError(location, "includes nested more than \(Self.maxIncludeDepth) deep (an include loop?)")
                }
                let directory = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
                let included: [(path: String, text: String)]
                do {
                    included = try source.files(matching: pattern, relativeTo: directory)
                } catch {
                    throw KeepalivedParseError(location, "include \(pattern): \(error)")
                }
                // `includer` checks only that what matches is readable: no match is no error.
                guard !included.isEmpty || keyword == "includer" else {
                    throw KeepalivedParseError(location, "\(keyword) \(pattern): no such file (relative to \(directory))")
                }
                for (path, text) in included { try read(text, file: path, depth: depth + 1, into: &builder) }
                continue
            }
            for token in tokens { try builder.add(token, at: location) }
            builder.endLine()
        }
    }

    /// Whether `line` ends in a `\` that escapes nothing (keepalived's `decomment`: a `\` followed by a
    /// character escapes it; a last one marks a continuation, also after a comment).
    static func endsInContinuation(_ line: Substring) -> Bool {
        var escaped = false
        for character in line {
            escaped = !escaped && character == "\\"
        }
        return escaped
    }

    /// The last word of a line ending in `\\`, without it.
    static func lastWord(of tokens: [Token]) -> String {
        for case .word(let word) in tokens.reversed() where word != "\\" {
            return word.hasSuffix("\\") ? String(word.dropLast()) : word
        }
        return ""
    }

    enum Token: Equatable {
        case word(String)
        case open
        case close
    }

    /// The tokens of one line: words (quoted ones keep their spaces), braces; a comment ends the line.
    static func tokens(of line: Substring, at location: KeepalivedLocation) throws(KeepalivedParseError) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var quoted = false
        var inQuotes = false
        func flush() {
            if !current.isEmpty || quoted { tokens.append(.word(current)) }
            current = ""
            quoted = false
        }
        for character in line {
            if inQuotes {
                if character == "\"" { inQuotes = false } else { current.append(character) }
                continue
            }
            switch character {
            case "\"":
                inQuotes = true
                quoted = true
            case "#", "!":
                // keepalived.conf(5) says `\#` and `\!` are the characters, but keepalived 2.2.7 strips
                // comments twice (reading, then its VRRP process reading the copy): the first pass drops
                // the `\`, the second sees a comment. The running instance has the shorter value.
                if current.hasSuffix("\\") { current.removeLast() }
                flush()
                return tokens
            case "{":
                flush()
                tokens.append(.open)
            case "}":
                flush()
                tokens.append(.close)
            case " ", "\t", "\r":
                flush()
            default:
                current.append(character)
            }
        }
        guard !inQuotes else { throw KeepalivedParseError(location, "a quoted string is not closed on its line") }
        flush()
        return tokens
    }

    /// Statements as they are read: a stack of open blocks, the statement of the current line.
    struct Builder {
        private var stack: [(statement: KeepalivedStatement?, children: [KeepalivedStatement])] = [(nil, [])]
        private var pending: KeepalivedStatement?

        var atStatementStart: Bool { pending == nil }

        mutating func add(_ token: Token, at location: KeepalivedLocation) throws(KeepalivedParseError) {
            switch token {
            case .word(let word):
                if pending == nil {
                    pending = KeepalivedStatement(keyword: word, location: location)
                } else {
                    pending?.arguments.append(word)
                }
            case .open:
                // A brace on its own line opens the block of the statement before it.
                var owner = pending
                if owner == nil, let last = stack[stack.count - 1].children.last, last.block == nil {
                    owner = stack[stack.count - 1].children.removeLast()
                }
                guard let owner else { throw KeepalivedParseError(location, "`{` without a statement before it") }
                pending = nil
                stack.append((owner, []))
            case .close:
                endLine()
                guard stack.count > 1, let (statement, children) = stack.popLast(), var closed = statement else {
                    throw KeepalivedParseError(location, "`}` without a block to close")
                }
                closed.block = children
                stack[stack.count - 1].children.append(closed)
            }
        }

        /// The end of a line ends the statement on it (its block, if any, opens on the next line).
        mutating func endLine() {
            if let statement = pending { stack[stack.count - 1].children.append(statement) }
            pending = nil
        }

        func finish(at location: KeepalivedLocation) throws(KeepalivedParseError) -> [KeepalivedStatement] {
            guard stack.count == 1 else {
                let open = stack.last?.statement
                throw KeepalivedParseError(
                    open?.location ?? location, "`\(open?.keyword ?? "{")` opens a block that is never closed")
            }
            return stack[0].children
        }
    }
}
