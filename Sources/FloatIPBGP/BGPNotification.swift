import FloatIPCore

/// A NOTIFICATION (RFC 4271 §4.5): the error that closes a session.
public struct BGPNotification: Sendable, Equatable, CustomStringConvertible {
    public var code: UInt8
    public var subcode: UInt8
    public var data: [UInt8]

    public init(code: UInt8, subcode: UInt8, data: [UInt8] = []) {
        self.code = code
        self.subcode = subcode
        self.data = data
    }

    /// Cease / Administrative Shutdown with a message (RFC 8203, RFC 9003: a length byte and up to
    /// 255 bytes of UTF-8, cut at a character boundary).
    public static func administrativeShutdown(_ message: String) -> BGPNotification {
        var text = Array(message.utf8.prefix(255))
        while !text.isEmpty, String(validating: text, as: UTF8.self) == nil { text.removeLast() }
        return BGPNotification(code: 6, subcode: 2, data: text.isEmpty ? [] : [UInt8(text.count)] + text)
    }

    /// The shutdown message of a Cease / Administrative Shutdown or Reset (RFC 9003), if it has one.
    public var shutdownMessage: String? {
        guard code == 6, subcode == 2 || subcode == 4, let length = data.first, data.count >= 1 + Int(length) else { return nil }
        return String(validating: data[1..<1 + Int(length)], as: UTF8.self)
    }

    public var description: String {
        let names: [UInt8: (String, [UInt8: String])] = [
            1: ("message header error", [1: "connection not synchronized", 2: "bad message length", 3: "bad message type"]),
            2: ("OPEN error", [1: "unsupported version number", 2: "bad peer AS", 3: "bad BGP identifier",
                               4: "unsupported optional parameter", 6: "unacceptable hold time", 7: "unsupported capability"]),
            3: ("UPDATE error", [1: "malformed attribute list", 2: "unrecognized well-known attribute",
                                 3: "missing well-known attribute", 4: "attribute flags error", 5: "attribute length error",
                                 6: "invalid ORIGIN", 8: "invalid NEXT_HOP", 9: "optional attribute error",
                                 10: "invalid network field", 11: "malformed AS_PATH"]),
            4: ("hold timer expired", [:]),
            5: ("finite state machine error", [:]),
            6: ("cease", [1: "maximum number of prefixes reached", 2: "administrative shutdown", 3: "peer de-configured",
                          4: "administrative reset", 5: "connection rejected", 6: "other configuration change",
                          7: "connection collision resolution", 8: "out of resources", 9: "hard reset"]),
            7: ("ROUTE-REFRESH error", [1: "invalid message length"]),
        ]
        let (name, subcodes) = names[code] ?? ("error code \(code)", [:])
        let sub = subcode == 0 ? "" : ", " + (subcodes[subcode] ?? "subcode \(subcode)")
        return "\(name)\(sub)" + (shutdownMessage.map { ": \"\($0)\"" } ?? "")
    }
}
