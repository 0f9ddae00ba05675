/// One statement of a keepalived.conf: a keyword, its arguments, and the block that follows it
/// (`vrrp_instance web { … }`), with the file and line it was read from. Pure value.
public struct KeepalivedStatement: Sendable, Equatable {
    public var keyword: String
    public var arguments: [String]
    /// The statements inside `{ … }`, or nil when the statement has no block.
    public var block: [KeepalivedStatement]?
    public var location: KeepalivedLocation

    public init(keyword: String, arguments: [String] = [], block: [KeepalivedStatement]? = nil, location: KeepalivedLocation) {
        self.keyword = keyword
        self.arguments = arguments
        self.block = block
        self.location = location
    }

    /// The statements of the block with this keyword.
    public func children(_ keyword: String) -> [KeepalivedStatement] {
        (block ?? []).filter { $0.keyword == keyword }
    }

    /// The first statement of the block with this keyword.
    public func child(_ keyword: String) -> KeepalivedStatement? {
        block?.first { $0.keyword == keyword }
    }
}

/// Where a statement was read: `FILE:LINE`.
public struct KeepalivedLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// Why a keepalived.conf could not be read, at `FILE:LINE`.
public struct KeepalivedParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var location: KeepalivedLocation
    public var message: String

    public init(_ location: KeepalivedLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
