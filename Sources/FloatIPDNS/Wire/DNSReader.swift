/// A bounds-checked big-endian cursor over one DNS message. Names follow compression pointers
/// (RFC 1035 §4.1.4) only backwards, so a hostile message cannot loop; every read names its field.
struct DNSReader {
    let bytes: [UInt8]
    /// The index of the next byte to read.
    private(set) var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - position }

    mutating func readUInt8(_ field: @autoclosure () -> String) throws(DNSWireError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(field: field()) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16(_ field: @autoclosure () -> String) throws(DNSWireError) -> UInt16 {
        let bytes = try readBytes(2, field())
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }

    mutating func readUInt32(_ field: @autoclosure () -> String) throws(DNSWireError) -> UInt32 {
        let bytes = try readBytes(4, field())
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readUInt48(_ field: @autoclosure () -> String) throws(DNSWireError) -> UInt64 {
        let bytes = try readBytes(6, field())
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func readBytes(_ count: Int, _ field: @autoclosure () -> String) throws(DNSWireError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw .truncated(field: field()) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// A possibly compressed name. Each pointer must point before the label that holds it, so the
    /// walk ends after at most one visit per byte.
    mutating func readName(_ field: @autoclosure () -> String) throws(DNSWireError) -> DNSName {
        var labels: [[UInt8]] = []
        var cursor = position
        var resumeAt: Int?
        var lowestPointerTarget = position
        var wireLength = 1
        while true {
            guard cursor < bytes.count else { throw .truncated(field: field()) }
            let length = bytes[cursor]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    position = resumeAt ?? cursor + 1
                    return try DNSName(wireLabels: labels)
                }
                let start = cursor + 1
                guard start + Int(length) <= bytes.count else { throw .truncated(field: field()) }
                wireLength += Int(length) + 1
                guard wireLength <= 255 else { throw .nameTooLong }
                labels.append(Array(bytes[start..<(start + Int(length))]))
                cursor = start + Int(length)
            case 0xC0:
                guard cursor + 1 < bytes.count else { throw .truncated(field: field()) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[cursor + 1])
                guard target < lowestPointerTarget else { throw .badPointer(offset: cursor) }
                if resumeAt == nil { resumeAt = cursor + 2 }
                lowestPointerTarget = target
                cursor = target
            default:
                throw .badLabelType(offset: cursor)
            }
        }
    }
}

/// Appends big-endian integers, bytes and uncompressed names to a message.
struct DNSWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// The low 48 bits, as TSIG's time signed.
    mutating func writeUInt48(_ value: UInt64) {
        for shift in stride(from: 40, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func write(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func write(_ name: DNSName) { bytes.append(contentsOf: name.wire) }
}
