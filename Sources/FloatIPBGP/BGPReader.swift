import FloatIPCore

/// A bounds-checked big-endian cursor over one BGP message's bytes. Running out of bytes throws
/// the error the caller names, so each field maps to the NOTIFICATION RFC 4271 §6 asks for.
struct BGPReader {
    private let bytes: [UInt8]
    private let end: Int
    private(set) var position: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.end = min(end ?? bytes.count, bytes.count)
        position = min(max(start, 0), self.end)
    }

    var remaining: Int { end - position }
    var atEnd: Bool { position >= end }

    mutating func byte(_ error: @autoclosure () -> BGPError) throws(BGPError) -> UInt8 {
        guard remaining >= 1 else { throw error() }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uint16(_ error: @autoclosure () -> BGPError) throws(BGPError) -> UInt16 {
        UInt16(try integer(2, error()))
    }

    mutating func uint32(_ error: @autoclosure () -> BGPError) throws(BGPError) -> UInt32 {
        UInt32(try integer(4, error()))
    }

    mutating func bytes(_ count: Int, _ error: @autoclosure () -> BGPError) throws(BGPError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw error() }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// A reader over the next `count` bytes, which this one skips.
    mutating func sub(_ count: Int, _ error: @autoclosure () -> BGPError) throws(BGPError) -> BGPReader {
        guard count >= 0, remaining >= count else { throw error() }
        defer { position += count }
        return BGPReader(bytes, from: position, to: position + count)
    }

    private mutating func integer(_ count: Int, _ error: @autoclosure () -> BGPError) throws(BGPError) -> UInt64 {
        guard remaining >= count else { throw error() }
        var value: UInt64 = 0
        for index in position..<position + count { value = value << 8 | UInt64(bytes[index]) }
        position += count
        return value
    }
}

/// Big-endian appends.
extension Array where Element == UInt8 {
    mutating func append16(_ value: UInt16) { append(contentsOf: [UInt8(value >> 8), UInt8(value & 0xFF)]) }
    mutating func append32(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }
}
