/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of the data
/// as big-endian 16-bit words, an odd last byte padded with zero. Over data that includes a correct
/// checksum it is zero.
public func internetChecksum(_ bytes: some Collection<UInt8>) -> UInt16 {
    var sum: UInt32 = 0
    var high: UInt8?
    for byte in bytes {
        if let first = high {
            sum += UInt32(first) << 8 | UInt32(byte)
            high = nil
        } else {
            high = byte
        }
    }
    if let first = high { sum += UInt32(first) << 8 }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    return ~UInt16(sum)
}
