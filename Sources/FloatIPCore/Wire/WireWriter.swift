/// Appends big-endian integers and length-prefixed names to a byte buffer.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: UInt16) {
        writeInteger(UInt64(value), byteCount: 2)
    }

    mutating func write(_ value: UInt32) {
        writeInteger(UInt64(value), byteCount: 4)
    }

    mutating func write(_ value: UInt64) {
        writeInteger(value, byteCount: 8)
    }

    /// A length byte, then the name's UTF-8 bytes. The caller has checked the name with `WireName`.
    mutating func writeName(_ name: String) {
        let utf8 = name.utf8
        write(UInt8(clamping: utf8.count))
        bytes.append(contentsOf: utf8.prefix(Int(UInt8.max)))
    }

    mutating func append(contentsOf other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }

    private mutating func writeInteger(_ value: UInt64, byteCount: Int) {
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
