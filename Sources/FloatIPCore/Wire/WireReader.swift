/// A bounds-checked big-endian cursor over a datagram's bytes. Every read names the field it reads,
/// so running out of bytes throws `WireError.truncated(field:)` instead of trapping.
struct WireReader {
    private let bytes: [UInt8]
    private let end: Int
    /// The index of the next byte to read.
    private(set) var position: Int

    /// A reader over `bytes[start..<end]`; `end` is clamped to the array.
    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.end = min(end ?? bytes.count, bytes.count)
        self.position = min(max(start, 0), self.end)
    }

    /// Bytes left before the end.
    var remaining: Int { end - position }

    mutating func readUInt8(_ field: @autoclosure () -> String) throws(WireError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(field: field()) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16(_ field: @autoclosure () -> String) throws(WireError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readInteger(byteCount: 2, field()))
    }

    mutating func readUInt32(_ field: @autoclosure () -> String) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readInteger(byteCount: 4, field()))
    }

    mutating func readUInt64(_ field: @autoclosure () -> String) throws(WireError) -> UInt64 {
        try readInteger(byteCount: 8, field())
    }

    /// A name: a length byte, then that many bytes, checked against `WireName`.
    mutating func readName(_ field: @autoclosure () -> String) throws(WireError) -> String {
        let length = Int(try readUInt8(field()))
        guard remaining >= length else { throw .truncated(field: field()) }
        let name = bytes[position..<(position + length)]
        guard WireName.isValid(bytes: name) else { throw .invalidName(field: field()) }
        position += length
        return String(decoding: name, as: UTF8.self)
    }

    private mutating func readInteger(byteCount: Int, _ field: @autoclosure () -> String) throws(WireError) -> UInt64 {
        guard remaining >= byteCount else { throw .truncated(field: field()) }
        var value: UInt64 = 0
        for byte in bytes[position..<(position + byteCount)] {
            value = value << 8 | UInt64(byte)
        }
        position += byteCount
        return value
    }
}
