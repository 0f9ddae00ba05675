/// A small, careful XML reader for API answers (EC2's query API): elements, text, the five
/// named entities and numeric character references; the declaration and comments skipped.
/// No DTDs, no CDATA, no namespaces beyond keeping prefixes in names. Malformed input is a
/// typed error with the byte offset, never a crash. (Foundation's XMLParser would tie the whole
/// binary to libxml2.)
public struct XMLAnswer: Sendable, Equatable {
    public var name: String
    public var children: [XMLAnswer]
    /// The element's own text (its text nodes joined), entities resolved.
    public var text: String

    /// The first direct child named `name`.
    public func child(_ name: String) -> XMLAnswer? { children.first { $0.name == name } }

    /// Direct children named `name`.
    public func children(_ name: String) -> [XMLAnswer] { children.filter { $0.name == name } }

    /// The first element named `name` anywhere below (depth first), or this one.
    public func first(_ name: String) -> XMLAnswer? {
        if self.name == name { return self }
        for child in children { if let found = child.first(name) { return found } }
        return nil
    }

    /// The trimmed text of the direct child `name`, nil when absent or empty.
    public func value(_ name: String) -> String? {
        guard let text = child(name)?.text.trimmed, !text.isEmpty else { return nil }
        return text
    }
}

/// Why an XML answer could not be read.
public struct XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "malformed XML at byte \(offset): \(reason)" }
}

extension XMLAnswer {
    /// Parses one document. Throws `XMLError` on anything malformed.
    public static func parse(_ bytes: [UInt8]) throws(XMLError) -> XMLAnswer {
        var reader = XMLReader(bytes: bytes)
        return try reader.document()
    }
}

private struct XMLReader {
    let bytes: [UInt8]
    var index = 0
    static let maxDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLError) -> XMLAnswer {
        try skipMisc()
        guard peek == UInt8(ascii: "<") else { throw fail("expected an element") }
        let root = try element(depth: 0)
        try skipMisc()
        guard index == bytes.count else { throw fail("unexpected content after the root element") }
        return root
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func fail(_ reason: String) -> XMLError { XMLError(offset: index, reason: reason) }

    func starts(with text: String) -> Bool {
        let pattern = Array(text.utf8)
        return index + pattern.count <= bytes.count && Array(bytes[index..<index + pattern.count]) == pattern
    }

    mutating func skip(past text: String) throws(XMLError) {
        let pattern = Array(text.utf8)
        while index + pattern.count <= bytes.count {
            if Array(bytes[index..<index + pattern.count]) == pattern {
                index += pattern.count
                return
            }
            index += 1
        }
        throw fail("unterminated construct (no `\(text)`)")
    }

    mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    /// White space, the XML declaration, processing instructions and comments.
    mutating func skipMisc() throws(XMLError) {
        while true {
            skipSpace()
            if starts(with: "<?") {
                try skip(past: "?>")
            } else if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "<!") {
                throw fail("DTDs and CDATA are not accepted")
            } else {
                return
            }
        }
    }

    mutating func name() throws(XMLError) -> String {
        let start = index
        while let byte = peek, !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D), byte != UInt8(ascii: ">"),
            byte != UInt8(ascii: "/"), byte != UInt8(ascii: "="), byte != UInt8(ascii: "<")
        {
            index += 1
        }
        guard index > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func element(depth: Int) throws(XMLError) -> XMLAnswer {
        guard depth < Self.maxDepth else { throw fail("elements nested deeper than \(Self.maxDepth)") }
        index += 1  // <
        let tag = try name()
        // Attributes: read and dropped (API answers carry their data in elements).
        while true {
            skipSpace()
            guard let byte = peek else { throw fail("unterminated tag <\(tag)>") }
            if byte == UInt8(ascii: "/") {
                index += 1
                guard peek == UInt8(ascii: ">") else { throw fail("expected `>` after `/` in <\(tag)>") }
                index += 1
                return XMLAnswer(name: tag, children: [], text: "")
            }
            if byte == UInt8(ascii: ">") {
                index += 1
                break
            }
            _ = try name()
            skipSpace()
            guard peek == UInt8(ascii: "=") else { throw fail("expected `=` in an attribute of <\(tag)>") }
            index += 1
            skipSpace()
            guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw fail("expected a quoted attribute value in <\(tag)>")
            }
            index += 1
            while let byte = peek, byte != quote { index += 1 }
            guard peek == quote else { throw fail("unterminated attribute value in <\(tag)>") }
            index += 1
        }
        var children: [XMLAnswer] = []
        var text = ""
        while true {
            guard let byte = peek else { throw fail("<\(tag)> is never closed") }
            if byte == UInt8(ascii: "<") {
                if starts(with: "</") {
                    index += 2
                    let closing = try name()
                    guard closing == tag else { throw fail("</\(closing)> closes <\(tag)>") }
                    skipSpace()
                    guard peek == UInt8(ascii: ">") else { throw fail("expected `>` after </\(closing)") }
                    index += 1
                    return XMLAnswer(name: tag, children: children, text: text)
                }
                if starts(with: "<!--") {
                    try skip(past: "-->")
                    continue
                }
                if starts(with: "<!") || starts(with: "<?") { throw fail("unexpected markup inside <\(tag)>") }
                children.append(try element(depth: depth + 1))
            } else if byte == UInt8(ascii: "&") {
                text += try entity()
            } else {
                let start = index
                while let next = peek, next != UInt8(ascii: "<"), next != UInt8(ascii: "&") { index += 1 }
                text += String(decoding: bytes[start..<index], as: UTF8.self)
            }
        }
    }

    mutating func entity() throws(XMLError) -> String {
        let start = index
        index += 1
        while let byte = peek, byte != UInt8(ascii: ";"), index - start < 12 { index += 1 }
        guard peek == UInt8(ascii: ";") else { throw fail("unterminated entity reference") }
        let body = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
        index += 1
        switch body {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let number: UInt32? =
                body.hasPrefix("#x") ? UInt32(body.dropFirst(2), radix: 16)
                : body.hasPrefix("#") ? UInt32(body.dropFirst(), radix: 10) : nil
            guard let number, let scalar = Unicode.Scalar(number) else {
                throw XMLError(offset: start, reason: "unknown entity &\(body);")
            }
            return String(Character(scalar))
        }
    }
}
