@testable import FloatIPDNS
import FloatIPCore

/// Bytes from hex text; spaces, newlines and `#` comments to the end of a line are ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.split(separator: "\n").map { line in line.split(separator: "#", maxSplits: 1).first ?? "" }
        .joined().filter(\.isHexDigit)
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}

func name(_ text: String) -> DNSName {
    do { return try DNSName(text) } catch { preconditionFailure("test name \(text): \(error)") }
}

func address(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { preconditionFailure("test address \(text)") }
    return address
}

/// A test key: 32 bytes of 0x01…0x20.
let testKey = TSIGKey(name: name("floatip-test"), secret: Array(1...32))
